package dev.vane.spark;

import dev.vane.MachineCeilings;
import dev.vane.Vane;
import dev.vane.model.GenerationOptions;
import dev.vane.model.Model;
import dev.vane.model.Session;
import dev.vane.model.SessionOptions;
import dev.vane.model.gguf.GgmlType;
import dev.vane.tools.generate.ModelGenerator;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Rows per second of one generation job in Spark local mode, three ways over the same rows:
 * VaneGenerator batching each partition (batchSize sequences stepped together), the same job with
 * one sequence at a time (batchSize 1), and a plain Java loop over Session on one thread with
 * the native pool at the same thread count. The three run in turn, repetition after repetition,
 * so a slow spell on a shared machine hits them all; ratios are taken within a repetition.
 * Beside rows per second of wall time it reports rows per CPU-second of the process (every
 * thread: Spark's, the schedulers', the native pool's): on a machine shared with other jobs the
 * wall time of a way grows with whatever else runs then, its CPU time much less.
 * Run by bench/spark.sh (not a test).
 *
 * <pre>
 * SparkBench [--model=FILE] [--threads=2] [--rows=64] [--prompt-tokens=16] [--max-tokens=32] [--batch-size=16] [--runs=3] [--cache=build/model-cache]
 * </pre>
 * Without --model it writes the ≈0.5B Llama (Q4_0, seeded random weights, as {@code vane bench}'s
 * llama-0.5b q4_0) into the cache directory. Every row generates max-tokens tokens (ignoreEos).
 */
public final class SparkBench {
    private SparkBench() {}

    public static void main(String[] args) throws Exception {
        Path model = null, cache = Path.of("build/model-cache");
        int threads = 2, rows = 64, promptTokens = 16, maxTokens = 32, batch = 16, runs = 3;
        for (String a : args) {
            String v = a.substring(a.indexOf('=') + 1);
            if (a.startsWith("--model=")) model = Path.of(v);
            else if (a.startsWith("--threads=")) threads = Integer.parseInt(v);
            else if (a.startsWith("--rows=")) rows = Integer.parseInt(v);
            else if (a.startsWith("--prompt-tokens=")) promptTokens = Integer.parseInt(v);
            else if (a.startsWith("--max-tokens=")) maxTokens = Integer.parseInt(v);
            else if (a.startsWith("--batch-size=")) batch = Integer.parseInt(v);
            else if (a.startsWith("--runs=")) runs = Integer.parseInt(v);
            else if (a.startsWith("--cache=")) cache = Path.of(v);
            else throw new IllegalArgumentException("unknown option " + a + "; see SparkBench's class comment");
        }
        if (model == null) model = benchModel(cache);
        run(model, threads, rows, promptTokens, maxTokens, batch, runs);
    }

    private static void run(Path model, int threads, int rows, int promptTokens, int maxTokens, int batch, int runs) {
        int context = promptTokens * 2 + maxTokens + 8;  // the decoded prompts re-encode to about promptTokens

        MachineCeilings ceilings = MachineCeilings.measure();
        System.out.printf(Locale.ROOT, "SparkBench: %s, Vane %s, kernels %s, local[%d], %d rows, ~%d-token prompts, %d tokens each, batchSize %d, %d runs;"
                + " read ceiling %.1f GB/s%n", model.getFileName(), Vane.version(), Vane.cpu().active().name().toLowerCase(Locale.ROOT), threads, rows,
                promptTokens, maxTokens, batch, runs, ceilings.readGBps());

        List<String> prompts;
        try (Model m = Model.load(model)) {
            prompts = prompts(m, rows, promptTokens);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        SparkSession spark = SparkSession.builder().master("local[" + threads + "]").appName("vane-spark-bench").config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1").getOrCreate();
        List<Row> data = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) data.add(RowFactory.create(i, prompts.get(i)));
        Dataset<Row> df = spark.createDataFrame(data, new StructType().add("id", DataTypes.IntegerType).add("prompt", DataTypes.StringType))
                .repartition(threads).cache();
        df.count();
        VaneGenerator g = new VaneGenerator().setModelPath(model.toString()).setMaxTokens(maxTokens).setIgnoreEos(true).setContextLength(context)
                .setPromptCache(false);
        VaneGenerator batched = g.copy(new org.apache.spark.ml.param.ParamMap()).setBatchSize(batch).setMaxInFlight(2 * batch);
        VaneGenerator single = g.copy(new org.apache.spark.ml.param.ParamMap()).setBatchSize(1).setMaxInFlight(1);
        Model loop = ExecutorModels.get(ModelSpec.of(model.toString()));  // the JVM's one model, shared with the Spark jobs here

        // Warm-up: the JIT and the page cache, each way once on a few rows.
        Dataset<Row> few = df.limit(Math.min(rows, 2 * batch));
        time(() -> batched.transform(few).count(), 1);
        time(() -> single.transform(few.limit(4)).count(), 1);
        time(() -> javaLoop(loop, prompts.subList(0, 4), maxTokens, context), threads);

        System.out.println("run  rows/s: batched  one at a time  java loop  batched / one  batched / loop"
                + "  | rows/CPU-s: batched  one at a time  java loop  batched / one  batched / loop");
        double[][] r = new double[runs][3];
        for (int i = 0; i < runs; i++) {
            double[] b = time(() -> batched.transform(df).count(), 1);
            double[] o = time(() -> single.transform(df).count(), 1);
            double[] l = time(() -> javaLoop(loop, prompts, maxTokens, context), threads);
            r[i] = new double[] {rows / b[0], rows / o[0], rows / l[0]};
            System.out.printf(Locale.ROOT, "%3d  %15.2f  %13.2f  %9.2f  %12.2fx  %13.2fx  | %18.2f  %13.2f  %9.2f  %12.2fx  %13.2fx%n", i + 1, r[i][0], r[i][1], r[i][2],
                    r[i][0] / r[i][1], r[i][0] / r[i][2], rows / b[1], rows / o[1], rows / l[1], o[1] / b[1], l[1] / b[1]);
        }
        System.out.printf(Locale.ROOT, "tokens/s of the median run, batched: %.1f; model loads in this JVM: %d (%s)%n",
                median(Arrays.stream(r).mapToDouble(x -> x[0]).toArray()) * maxTokens, ExecutorModels.totalLoads(), ManagementFactory.getRuntimeMXBean().getName());
        spark.stop();
    }

    // Wall and process CPU seconds one way takes; the native pool at poolThreads (a Spark task: 1, so local[n] runs n tasks of one thread each).
    private static double[] time(Runnable way, int poolThreads) {
        Vane.setThreads(poolThreads);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long c0 = os.getProcessCpuTime(), t0 = System.nanoTime();
        way.run();
        return new double[] {(System.nanoTime() - t0) / 1e9, (os.getProcessCpuTime() - c0) / 1e9};
    }

    // The plain loop a Java program without Spark would run: one Session after another.
    private static void javaLoop(Model m, List<String> prompts, int maxTokens, int context) {
        GenerationOptions o = GenerationOptions.greedy(maxTokens).withIgnoreEos(true);
        for (String p : prompts) {
            try (Session s = m.newSession(SessionOptions.defaults(m.config()).withContextLength(context))) {
                s.generate(p, o);
            }
        }
    }

    // Prompts of random vocabulary tokens decoded to text (seeded: the same rows every run).
    private static List<String> prompts(Model m, int rows, int tokens) {
        Random rnd = new Random(18);
        int vocab = m.tokenizer().vocabSize();
        List<String> out = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            int[] ids = new int[tokens];
            for (int k = 0; k < tokens; k++) ids[k] = 259 + rnd.nextInt(vocab - 259);  // past the special and byte tokens
            out.add(m.tokenizer().decode(ids));
        }
        return out;
    }

    private static Path benchModel(Path cache) throws java.io.IOException {
        Path f = cache.resolve("spark-bench-llama-0.5b-q4_0.gguf");
        if (!Files.exists(f)) {
            Files.createDirectories(cache);
            System.err.println("writing the 0.5B Q4_0 benchmark model to " + f + " ...");
            Path tmp = Files.createTempFile(cache, "spark-bench", ".tmp");
            ModelGenerator.writeGguf(dev.vane.tools.generate.ModelSpec.llama05b(GgmlType.Q4_0), tmp);
            Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return f;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
