package dev.vane.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.GenerationOptions;
import dev.vane.model.Model;
import dev.vane.model.Session;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** A partition's rows through the scheduler without Spark: never more than maxInFlight read ahead, outputs in order, closing mid-way stops it. */
class PartitionGeneratorTest {
    // The rows, counting how many the generator has taken.
    static final class Counting implements Iterator<Row> {
        final Iterator<Row> rows;
        int read;

        Counting(List<String> prompts) {
            List<Row> r = new ArrayList<>();
            for (String p : prompts) r.add(RowFactory.create(p));
            rows = r.iterator();
        }

        @Override
        public boolean hasNext() {
            return rows.hasNext();
        }

        @Override
        public Row next() {
            read++;
            return rows.next();
        }
    }

    @Test
    void atMostMaxInFlightRowsAreReadAheadAndOutputsComeInOrder() {
        Model m = LocalSpark.reference();
        List<String> prompts = LocalSpark.prompts(20, 5);
        GeneratorSettings s = GeneratorSettings.greedy(6).withBatching(3, 6);
        Counting in = new Counting(prompts);
        List<String> out = new ArrayList<>();
        try (PartitionGenerator g = new PartitionGenerator(m, s, PromptInput.TEXT, 0, false, in)) {
            while (g.hasNext()) {
                assertTrue(in.read - out.size() <= 6, "read " + in.read + " rows with " + out.size() + " returned");
                Row r = g.next();
                assertEquals(prompts.get(out.size()), r.getString(0), "input order");
                out.add(r.getString(1));
            }
        }
        assertEquals(20, in.read);
        for (int i = 0; i < prompts.size(); i++) {
            try (Session session = m.newSession()) {
                assertEquals(session.generate(prompts.get(i), GenerationOptions.greedy(6)).text(), out.get(i), prompts.get(i));
            }
        }
    }

    @Test
    void closingMidwayStopsReadingAndRunning() {
        Counting in = new Counting(LocalSpark.prompts(30, 5));
        PartitionGenerator g = new PartitionGenerator(LocalSpark.reference(), GeneratorSettings.greedy(6).withBatching(2, 4), PromptInput.TEXT, 0, false, in);
        g.next();
        g.next();
        g.close();  // as the task's completion listener does when a task is killed
        assertFalse(g.hasNext());
        assertTrue(in.read <= 6, "read " + in.read);
    }
}
