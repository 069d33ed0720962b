package dev.vane.spark;

import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.Pooling;
import java.util.concurrent.CompletionException;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

/**
 * Vane as Spark SQL functions: {@code vane_generate(prompt)} (string to the completion's text)
 * and {@code vane_embed(text)} (string to array&lt;float&gt;), each bound at registration to a
 * model and its settings; register several under other names for other models or settings.
 *
 * <pre>{@code
 * VaneFunctions.register(spark, ModelSpec.of("/shared/models/model.gguf"), GeneratorSettings.greedy(32));
 * spark.sql("SELECT id, vane_generate(prompt) AS completion FROM prompts");
 * }</pre>
 *
 * <p>Spark calls a function a row at a time, so rows are batched only across the tasks running
 * at once in an executor ({@link SharedSchedulers}); for throughput on large tables use
 * {@link VaneGenerator}, which batches within each partition. A null input gives null; a row that
 * does not fit the context fails the task, or with onTooLong = error gives null (there is no
 * error column in a function's result).
 */
public final class VaneFunctions {
    public static final String GENERATE = "vane_generate";
    public static final String EMBED = "vane_embed";

    private VaneFunctions() {}

    /** Registers vane_generate and vane_embed (mean pooling, normalized) for the model. */
    public static void register(SparkSession spark, ModelSpec spec, GeneratorSettings settings) {
        registerGenerate(spark, GENERATE, spec, settings);
        registerEmbed(spark, EMBED, spec, Pooling.MEAN, true, settings.onTooLong());
    }

    /** Registers name(prompt STRING) RETURNS STRING. */
    public static void registerGenerate(SparkSession spark, String name, ModelSpec spec, GeneratorSettings settings) {
        spark.udf().register(name, generate(spec, settings), DataTypes.StringType);
    }

    /** Registers name(text STRING) RETURNS ARRAY&lt;FLOAT&gt;. */
    public static void registerEmbed(SparkSession spark, String name, ModelSpec spec, Pooling pooling, boolean normalize, TooLong onTooLong) {
        spark.udf().register(name, embed(spec, pooling, normalize, onTooLong), DataTypes.createArrayType(DataTypes.FloatType, false));
    }

    private static UDF1<String, String> generate(ModelSpec spec, GeneratorSettings settings) {
        return prompt -> {
            if (prompt == null) return null;
            Model model = ExecutorModels.get(spec);
            int[] ids = model.tokenizer().encode(prompt, settings.addBos());
            int context = settings.context(model.config());
            if (ids.length == 0 || ids.length > context) {
                String why = ids.length == 0 ? "the prompt has no tokens" : "the prompt has " + ids.length + " tokens but a sequence holds " + context + " positions (contextLength)";
                if (settings.onTooLong() == TooLong.ERROR) return null;
                throw new IllegalArgumentException(GENERATE + ": " + why + "; shorten it, raise contextLength, or register with onTooLong ERROR to get null for such rows");
            }
            try {
                GenerationResult r = SharedSchedulers.get(spec, settings).submit(ids, settings.options(), t -> true).result().join();
                return r.text();
            } catch (CompletionException e) {
                throw new IllegalStateException(GENERATE + ": the generation failed: " + e.getCause(), e.getCause());
            }
        };
    }

    private static UDF1<String, float[]> embed(ModelSpec spec, Pooling pooling, boolean normalize, TooLong onTooLong) {
        return text -> {
            if (text == null) return null;
            Model model = ExecutorModels.get(spec);
            int n = model.tokenizer().encode(text, true).length, context = Math.min(model.config().contextLength(), 4096);
            if (n == 0 || n > context) {
                if (onTooLong == TooLong.ERROR) return null;
                throw new IllegalArgumentException(EMBED + ": the text has " + n + " tokens; a session holds 1.." + context);
            }
            return model.embed(java.util.List.of(text), pooling, normalize).get(0);
        };
    }
}
