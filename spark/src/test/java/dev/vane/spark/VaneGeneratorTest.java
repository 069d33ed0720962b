package dev.vane.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.GenerationOptions;
import dev.vane.model.Model;
import dev.vane.model.Session;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VaneGenerator in local[2] on the embedded model: 200 prompts in 5 partitions, greedy, give
 * each prompt's text from Session.generate alone, in input order; the executor JVM loads the
 * model once however many tasks and jobs use it; a pipeline saved and loaded again gives the
 * same outputs.
 */
class VaneGeneratorTest {
    static final int ROWS = 200, MAX_TOKENS = 12;
    static SparkSession spark;
    static Dataset<Row> prompts;
    static List<String> expected;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() {
        spark = LocalSpark.session();
        List<String> texts = LocalSpark.prompts(ROWS, 6);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) rows.add(RowFactory.create(i, texts.get(i)));
        StructType schema = new StructType().add("id", DataTypes.IntegerType, false).add("prompt", DataTypes.StringType, true);
        prompts = spark.createDataFrame(rows, schema).repartition(5).sortWithinPartitions("id");
        Model m = LocalSpark.reference();
        expected = new ArrayList<>();
        for (String p : texts) {
            try (Session s = m.newSession()) {
                expected.add(s.generate(p, GenerationOptions.greedy(MAX_TOKENS)).text());
            }
        }
    }

    static VaneGenerator generator() {
        return new VaneGenerator().setModelPath(LocalSpark.modelFile().toString()).setMaxTokens(MAX_TOKENS).setBatchSize(8).setMaxInFlight(16);
    }

    // The rows as collected (partition by partition, each in its order), checked against the expected texts by id.
    static void assertMatchesAlone(Dataset<Row> in, Dataset<Row> out) {
        List<Row> before = in.collectAsList(), after = out.collectAsList();
        assertEquals(ROWS, after.size());
        int same = 0;
        for (int i = 0; i < after.size(); i++) {
            Row r = after.get(i);
            assertEquals(before.get(i).getInt(0), r.getInt(0), "row " + i + ": the output order is the input order");
            assertEquals(before.get(i).getString(1), r.getString(1), "row " + i + ": the input columns pass through");
            if (expected.get(r.getInt(0)).equals(r.getString(r.fieldIndex("completion")))) same++;
        }
        assertEquals(ROWS, same, "rows whose batched greedy output equals Session.generate alone");
    }

    @Test
    void greedyBatchedOutputsEqualSessionGenerateAloneInInputOrder() {
        Dataset<Row> out = generator().transform(prompts);
        assertEquals(List.of("id", "prompt", "completion"), List.of(out.schema().fieldNames()));
        assertMatchesAlone(prompts, out);
        assertTrue(expected.stream().anyMatch(t -> !t.isEmpty()), "the model generates text for these prompts");
    }

    @Test
    void theExecutorJvmLoadsTheModelOnce() {
        ModelSpec spec = LocalSpark.spec();
        generator().transform(prompts).count();
        generator().setBatchSize(4).transform(prompts.limit(40)).collectAsList();  // another job, other settings, same model
        // Ask every task of a job over 8 partitions which JVM it ran in and how often that JVM loaded the model.
        List<String> seen = spark.range(0, 8, 1, 8).toDF().mapPartitions((MapPartitionsFunction<Row, String>) rows -> {
            String jvm = ManagementFactory.getRuntimeMXBean().getName();
            return List.of(jvm + " " + ExecutorModels.loads(spec)).iterator();
        }, Encoders.STRING()).distinct().collectAsList();
        assertEquals(List.of(ManagementFactory.getRuntimeMXBean().getName() + " 1"), seen, "one executor JVM (local mode), one load");
        assertEquals(1, ExecutorModels.loads(spec));
    }

    @Test
    void aSavedAndLoadedPipelineGivesTheSameOutputs() throws Exception {
        VaneGenerator g = generator().setOutputCol("completion").setSeed(7);
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {g}).fit(prompts);
        String path = dir.resolve("pipeline").toString();
        fitted.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        VaneGenerator back = (VaneGenerator) loaded.stages()[0];
        assertEquals(g.uid(), back.uid());
        assertEquals(g.getModelPath(), back.getModelPath());
        assertEquals(g.settings(), back.settings(), "every generation parameter survives");
        assertMatchesAlone(prompts, loaded.transform(prompts));

        String single = dir.resolve("generator").toString();
        g.save(single);
        assertEquals(g.settings(), VaneGenerator.load(single).settings());
    }
}
