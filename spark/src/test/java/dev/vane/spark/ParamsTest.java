package dev.vane.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The transformers' params and schemas: defaults, and bad values refused with what was expected (no Spark job runs). */
class ParamsTest {
    static final StructType PROMPTS = new StructType().add("id", DataTypes.IntegerType).add("prompt", DataTypes.StringType);

    static void assertRefused(Runnable r, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), "message \"" + e.getMessage() + "\" should contain \"" + expected + "\"");
    }

    @Test
    void defaultsAreGreedyWithBatching() {
        VaneGenerator g = new VaneGenerator();
        assertEquals(new GeneratorSettings(64, 0, 0, 1, 0, 1, 64, 0, false, true, 8, 16, 0, true, TooLong.FAIL), g.settings());
        assertEquals("prompt", g.getInputCol());
        assertEquals("completion", g.getOutputCol());
        assertEquals("as-is", g.getWeightFormat());
        assertEquals(16, g.setBatchSize(16).getMaxInFlight(), "maxInFlight follows a larger batchSize");
        assertTrue(g.explainParams().contains("maxTokens"), "Spark ML finds the params by reflection");
        assertEquals(20, g.params().length);  // 6 shared (model, columns, onTooLong) + 14 of generation and batching
        assertEquals(9, new VaneEmbedder().params().length);
    }

    @Test
    void badValuesAreRefusedNamingWhatIsExpected() {
        VaneGenerator g = new VaneGenerator();
        assertRefused(() -> g.setMaxTokens(0), "maxTokens must be >= 1, got 0");
        assertRefused(() -> g.setTemperature(-1), "temperature must be finite and >= 0");
        assertRefused(() -> g.setTopP(0), "topP must be in (0, 1]");
        assertRefused(() -> g.setMinP(2), "minP must be in [0, 1]");
        assertRefused(() -> g.setRepetitionPenalty(0), "repetitionPenalty must be finite and > 0");
        assertRefused(() -> g.setBatchSize(0), "batchSize must be in 1..256, got 0");
        assertRefused(() -> g.setBatchSize(8).setMaxInFlight(4), "maxInFlight must be >= batchSize (8), got 4");
        assertRefused(() -> g.setContextLength(-1), "contextLength must be in 0..2^22");
        assertRefused(() -> g.setOnTooLong("skip"), "onTooLong must be \"fail\" (the task fails) or \"error\"");
        assertRefused(() -> g.setWeightFormat("q9_9"), "unknown weight format 'q9_9'");
        assertRefused(() -> g.setModelPath(" "), "the model path is empty");
        assertRefused(() -> g.setInputCol(""), "inputCol must be a non-empty name");
        assertRefused(() -> new VaneEmbedder().setPooling("max"), "pooling must be mean, last or first, got max");
        assertRefused(() -> new GeneratorSettings(8, 0, 0, 1, 0, 1, 0, 0, false, true, 8, 16, 0, true, null), "onTooLong must be set");
    }

    @Test
    void schemasAreCheckedBeforeAnyJob() {
        VaneGenerator g = new VaneGenerator().setModelPath("/nowhere/model.gguf");
        assertEquals(PROMPTS.add("completion", DataTypes.StringType), g.transformSchema(PROMPTS));
        assertEquals(PROMPTS.add("completion", DataTypes.StringType).add("error", DataTypes.StringType),
                g.copy(new org.apache.spark.ml.param.ParamMap()).setOnTooLong("error").transformSchema(PROMPTS));
        assertRefused(() -> g.setInputCol("text").transformSchema(PROMPTS), "input column text is not in the data; its columns are id, prompt");
        assertRefused(() -> g.setInputCol("id").transformSchema(PROMPTS), "input column id is int; expected a string (a prompt) or an array of structs");
        assertRefused(() -> g.setInputCol("prompt").setOutputCol("id").transformSchema(PROMPTS), "output column id already exists");
        assertRefused(() -> new VaneGenerator().modelSpec(), "set modelPath");
        assertRefused(() -> new VaneEmbedder().setInputCol("id").transformSchema(PROMPTS), "input column id is int; expected a string");
    }

    @Test
    void aCopyKeepsTheUidAndTheValues() {
        VaneGenerator g = new VaneGenerator().setModelPath("/m.gguf").setMaxTokens(5).setSeed(3);
        VaneGenerator c = g.copy(new org.apache.spark.ml.param.ParamMap().put(g.maxTokens().w(9)));
        assertEquals(g.uid(), c.uid());
        assertEquals(9, c.getMaxTokens());
        assertEquals(3, c.getSeed());
        assertEquals(5, g.getMaxTokens(), "the original is unchanged");
    }
}
