package dev.vane.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.Pooling;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** VaneEmbedder: each text's vector is Model.embed's for it, in input order, across partitions and batches; saved and loaded it gives the same. */
class VaneEmbedderTest {
    @TempDir
    Path dir;

    static Dataset<Row> texts(List<String> texts) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) rows.add(RowFactory.create(i, texts.get(i)));
        StructType schema = new StructType().add("id", DataTypes.IntegerType, false).add("text", DataTypes.StringType, true);
        return LocalSpark.session().createDataFrame(rows, schema).repartition(3).sortWithinPartitions("id");
    }

    static void assertVectorsAreModelEmbeds(List<String> texts, List<Row> out, Pooling pooling, boolean normalize) {
        List<float[]> want = LocalSpark.reference().embed(texts, pooling, normalize);
        assertEquals(texts.size(), out.size());
        double apart = 0, top = 0;
        for (int k = 0; k < want.get(0).length; k++) {
            apart = Math.max(apart, Math.abs(want.get(0)[k] - want.get(1)[k]));
            top = Math.max(top, Math.abs(want.get(0)[k]));
        }
        assertTrue(apart > 1e-2 * top, "two texts' vectors differ by far more than the tolerance below: " + apart + " of " + top);
        for (Row r : out) {
            int id = r.getInt(0);
            Vector v = (Vector) r.get(r.fieldIndex("embedding"));
            // Model.embed runs short texts as rows of shared float passes, and a text's vector rounds
            // differently beside other neighbours (batches of 4 here, one call of 30 in the reference):
            // in plain Java on this model up to 1.2e-4 of the vector's largest element. 1e-3 of it is
            // far below the difference between two texts' vectors (of the order of that element).
            double[] w = PartitionEmbedder.toDoubles(want.get(id));
            double scale = java.util.Arrays.stream(w).map(Math::abs).max().orElse(1);
            assertArrayEquals(w, v.toArray(), 1e-3 * scale, "text " + id);
        }
    }

    @Test
    void vectorsAreTheModelsEmbeddings() throws Exception {
        List<String> t = LocalSpark.prompts(30, 8);
        VaneEmbedder e = new VaneEmbedder().setModelPath(LocalSpark.modelFile().toString()).setBatchSize(4);
        Dataset<Row> in = texts(t);
        List<Row> out = e.transform(in).collectAsList();
        assertEquals(LocalSpark.reference().config().dim(), ((Vector) out.get(0).get(2)).size());
        assertVectorsAreModelEmbeds(t, out, Pooling.MEAN, true);
        List<Row> before = in.collectAsList();
        for (int i = 0; i < out.size(); i++) assertEquals(before.get(i).getInt(0), out.get(i).getInt(0), "input order");

        String path = dir.resolve("embedder").toString();
        e.setPooling("last").setNormalize(false).save(path);
        VaneEmbedder back = VaneEmbedder.load(path);
        assertEquals("last", back.getPooling());
        assertVectorsAreModelEmbeds(t, back.transform(in).collectAsList(), Pooling.LAST, false);
    }

    @Test
    void aTooLongTextGetsAnErrorValue() {
        int context = Math.min(LocalSpark.reference().config().contextLength(), 4096);
        String longText = String.join(" ", LocalSpark.prompts(40, 200));
        assertTrue(LocalSpark.reference().tokenizer().encode(longText, true).length > context);
        List<Row> out = new VaneEmbedder().setModelPath(LocalSpark.modelFile().toString()).setOnTooLong("error")
                .transform(texts(List.of("In the beginning", longText))).collectAsList();
        Row ok = out.stream().filter(r -> r.getInt(0) == 0).findFirst().orElseThrow();
        Row bad = out.stream().filter(r -> r.getInt(0) == 1).findFirst().orElseThrow();
        assertNull(ok.get(3));
        assertNull(bad.get(2));
        assertTrue(bad.getString(3).contains("a session holds " + context), bad.getString(3));
    }
}
