package dev.vane.samples.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.GenerationOptions;
import dev.vane.model.Model;
import dev.vane.model.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample job end to end in local[2] on the embedded model (a text file of prompts in, Parquet out), and its command line. */
class SparkBatchGenerateTest {
    @TempDir
    Path dir;

    @Test
    void theShippedModelJoinsSparkFilesFromTheCommandLine() {
        assertEquals("/m/model.gguf", SparkBatchGenerate.withShippedModel("", "/m/model.gguf"));
        assertEquals("hdfs:///a.txt,/m/model.gguf", SparkBatchGenerate.withShippedModel("hdfs:///a.txt", "/m/model.gguf"));
    }

    @Test
    void generatesACompletionForEveryLine() throws Exception {
        Path model = dir.resolve("model.gguf");
        EmbeddedModel.writeTo(model);
        List<String> prompts = List.of("In the beginning", "And the earth was", "And God said", "The LORD is my shepherd", "Blessed are the",
                "And it came to pass", "Now the serpent was", "Let there be");
        Path input = Files.write(dir.resolve("prompts.txt"), prompts);
        String output = dir.resolve("out.parquet").toString();
        SparkSession spark = SparkSession.builder().master("local[2]").appName("sample-test").config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1").getOrCreate();
        long rows = SparkBatchGenerate.run(spark, BatchOptions.parse(new String[] {"--model", model.toString(), "--input=" + input, "--output", output,
                "--max-tokens", "6", "--batch-size", "4", "--partitions", "2", "--ship"}));
        assertEquals(prompts.size(), rows);
        Map<String, String> got = new HashMap<>();
        for (Row r : spark.read().parquet(output).collectAsList()) got.put(r.getString(0), r.getString(1));
        try (Model m = Model.load(model)) {
            for (String p : prompts) {
                try (Session s = m.newSession()) {
                    assertEquals(s.generate(p, GenerationOptions.greedy(6)).text(), got.get(p), p);
                }
            }
        }
    }

    @Test
    void theCommandLineIsCheckedWithWhatIsExpected() {
        BatchOptions o = BatchOptions.parse(new String[] {"--model", "m.gguf", "--input", "in.parquet", "--output=o", "--batch-size=4"});
        assertEquals("parquet", o.inputFormat());
        assertEquals(8, o.maxInFlight(), "twice the batch size by default");
        assertEquals(64, o.maxTokens());
        assertRefused(new String[] {"--input", "a", "--output", "b"}, "--model is required");
        assertRefused(new String[] {"--model", "m", "--input", "a", "--output", "b", "--max-tokens", "many"}, "--max-tokens must be an integer, got 'many'");
        assertRefused(new String[] {"--model", "m", "--input", "a", "--output", "b", "--colour", "red"}, "unknown option --colour");
        assertRefused(new String[] {"--model", "m", "--input", "a", "--output", "b", "--input-format", "xml"}, "--input-format must be text, json, csv or parquet");
        assertRefused(new String[] {"--model", "m", "--input", "a", "--output"}, "--output needs a value");
        assertRefused(new String[] {"--model", "m", "--input", "a", "--output", "b", "--ship=yes"}, "--ship takes no value");
    }

    private static void assertRefused(String[] args, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BatchOptions.parse(args));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }
}
