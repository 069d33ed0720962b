package dev.vane.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.GenerationOptions;
import dev.vane.model.Model;
import dev.vane.model.Pooling;
import dev.vane.model.Session;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** vane_generate and vane_embed in Spark SQL: each row's value is what the model gives that text alone. */
class VaneFunctionsTest {
    static final int MAX_TOKENS = 8;

    @Test
    void generateAndEmbedInSql() {
        SparkSession spark = LocalSpark.session();
        VaneFunctions.register(spark, LocalSpark.spec(), GeneratorSettings.greedy(MAX_TOKENS));
        List<String> prompts = LocalSpark.prompts(12, 5);
        spark.createDataset(prompts, org.apache.spark.sql.Encoders.STRING()).toDF("prompt").repartition(2).createOrReplaceTempView("prompts");
        List<Row> out = spark.sql("SELECT prompt, vane_generate(prompt) AS completion, vane_embed(prompt) AS v FROM prompts").collectAsList();
        assertEquals(prompts.size(), out.size());
        Model m = LocalSpark.reference();
        for (Row r : out) {
            String p = r.getString(0);
            try (Session s = m.newSession()) {
                assertEquals(s.generate(p, GenerationOptions.greedy(MAX_TOKENS)).text(), r.getString(1), p);
            }
            float[] want = m.embed(List.of(p), Pooling.MEAN, true).get(0);
            List<Float> got = r.getList(2);
            assertEquals(want.length, got.size());
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got.get(i), 0f, p + " [" + i + "]");
        }
        assertNull(spark.sql("SELECT vane_generate(CAST(NULL AS STRING))").first().get(0), "null in, null out");
    }

    @Test
    void aTooLongPromptFailsTheQueryOrGivesNull() {
        SparkSession spark = LocalSpark.session();
        GeneratorSettings small = GeneratorSettings.greedy(MAX_TOKENS).withContextLength(8);
        VaneFunctions.registerGenerate(spark, "gen_small", LocalSpark.spec(), small);
        VaneFunctions.registerGenerate(spark, "gen_small_or_null", LocalSpark.spec(), small.withOnTooLong(TooLong.ERROR));
        String prompt = LocalSpark.prompts(1, 40).get(0).replace("'", "");
        SparkException e = assertThrows(SparkException.class, () -> spark.sql("SELECT gen_small('" + prompt + "')").collectAsList());
        String message = e.getMessage() + (e.getCause() != null ? " " + e.getCause().getMessage() : "");
        assertTrue(message.contains("8 positions (contextLength)"), message);
        assertNull(spark.sql("SELECT gen_small_or_null('" + prompt + "')").first().get(0));
    }
}
