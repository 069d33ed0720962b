package dev.vane.samples.spark;

import dev.vane.spark.VaneGenerator;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A spark-submit job: reads a table of prompts, generates a completion for each row with
 * {@link VaneGenerator} (the model opened once per executor, each partition's rows batched),
 * and writes the rows with their completions. docs/SPARK.md shows how to run it on a cluster.
 *
 * <pre>
 * spark-submit --class dev.vane.samples.spark.SparkBatchGenerate \
 *   --jars "$(ls samples/spark-batch/target/lib/*.jar | paste -sd,)" \
 *   samples/spark-batch/target/vane-sample-spark-batch-0.1.0-SNAPSHOT.jar \
 *   --model /shared/models/model.gguf --input prompts.txt --output completions.parquet
 * </pre>
 */
public final class SparkBatchGenerate {
    private SparkBatchGenerate() {}

    public static void main(String[] args) {
        BatchOptions o;
        try {
            o = BatchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        SparkSession.Builder builder = SparkSession.builder().appName("vane-spark-batch");
        if (o.ship()) builder.config("spark.files", withShippedModel(new SparkConf().get("spark.files", ""), o.model()));
        SparkSession spark = builder.getOrCreate();
        try {
            run(spark, o);
        } finally {
            spark.stop();
        }
    }

    /** Runs the job on spark's session; returns the rows written. */
    static long run(SparkSession spark, BatchOptions o) {
        String modelPath = o.model();
        if (o.ship()) {
            // Every executor gets its own copy in its work directory; the generator finds it by name.
            // main() ships it with spark.files, as the context starts: on a cluster, Spark 4's artifact
            // isolation keeps a file given to addFile after the session exists from the session's SQL
            // jobs. addFile here serves a session made elsewhere (local mode; Spark skips a path
            // already added).
            spark.sparkContext().addFile(o.model());
            modelPath = Path.of(o.model()).getFileName().toString();
        }
        Dataset<Row> in = read(spark, o);
        if (o.partitions() > 0) in = in.repartition(o.partitions());
        VaneGenerator generator = new VaneGenerator().setModelPath(modelPath).setInputCol(o.column()).setOutputCol("completion")
                .setMaxTokens(o.maxTokens()).setBatchSize(o.batchSize()).setMaxInFlight(o.maxInFlight()).setContextLength(o.contextLength())
                .setTemperature(o.temperature()).setSeed(o.seed()).setOnTooLong(o.onTooLong());
        long t0 = System.nanoTime();
        Dataset<Row> out = generator.transform(in);
        if (o.output().toLowerCase(Locale.ROOT).endsWith(".json")) out.write().mode("overwrite").json(o.output());
        else out.write().mode("overwrite").parquet(o.output());
        double seconds = (System.nanoTime() - t0) / 1e9;
        long rows = spark.read().format(o.output().toLowerCase(Locale.ROOT).endsWith(".json") ? "json" : "parquet").load(o.output()).count();
        System.out.printf(Locale.ROOT, "vane-spark-batch: %d rows in %.1f s (%.2f rows/s) -> %s%n", rows, seconds, rows / seconds, o.output());
        return rows;
    }

    private static Dataset<Row> read(SparkSession spark, BatchOptions o) {
        return switch (o.inputFormat()) {
            case "text" -> spark.read().text(o.input()).withColumnRenamed("value", o.column());
            case "json" -> spark.read().json(o.input());
            case "csv" -> spark.read().option("header", "true").csv(o.input());
            default -> spark.read().parquet(o.input());
        };
    }

    // spark.files (a comma-separated list, perhaps from spark-submit's --files) with the model added.
    static String withShippedModel(String files, String model) {
        return files.isBlank() ? model : files + "," + model;
    }
}
