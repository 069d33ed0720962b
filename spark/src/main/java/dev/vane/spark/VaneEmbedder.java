package dev.vane.spark;

import dev.vane.model.Pooling;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML Transformer that embeds each row's text: the input column (string) to an ML
 * {@code Vector} column, the text's final hidden states pooled (mean, last or first token) and,
 * with normalize, scaled to unit length, as {@code Model.embed} computes them. Each executor JVM
 * opens the model once; batchSize texts of a partition go to one embed call, where short texts
 * share forward passes.
 */
public final class VaneEmbedder extends VaneTransformer<VaneEmbedder> {
    private static final long serialVersionUID = 1L;

    private final Param<String> pooling = new Param<>(this, "pooling", "how a text's token states become one vector: mean, last or first",
            ParamValidators.inArray(List.of("mean", "last", "first")));
    private final BooleanParam normalize = new BooleanParam(this, "normalize", "scale each vector to unit length");
    private final IntParam batchSize = new IntParam(this, "batchSize", "texts of a partition embedded in one call (1..4096)", ParamValidators.inRange(1, 4096));

    public VaneEmbedder() {
        this(Identifiable.randomUID("vaneEmbedder"));
    }

    /** With a given uid: Spark ML's loader calls this one. */
    public VaneEmbedder(String uid) {
        super(uid, "text", "embedding");
        setDefault(pooling, "mean");
        setDefault(normalize, true);
        setDefault(batchSize, 64);
    }

    public static MLReader<VaneEmbedder> read() {
        return new DefaultParamsReader<>();
    }

    public static VaneEmbedder load(String path) {
        return read().load(path);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        StructType out = withOutputs(schema, SQLDataTypes.VectorType());
        if (!schema.apply(getInputCol()).dataType().equals(DataTypes.StringType)) {
            throw new IllegalArgumentException("input column " + getInputCol() + " is " + schema.apply(getInputCol()).dataType().simpleString() + "; expected a string");
        }
        return out;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        int index = dataset.schema().fieldIndex(getInputCol());
        return dataset.toDF().mapPartitions(task(modelSpec(), poolingMode(), getNormalize(), getBatchSize(), tooLong(), index), Encoders.row(out));
    }

    private static MapPartitionsFunction<Row, Row> task(ModelSpec spec, Pooling pooling, boolean normalize, int batchSize, TooLong onTooLong, int index) {
        return rows -> (Iterator<Row>) new PartitionEmbedder(ExecutorModels.get(spec), pooling, normalize, batchSize, onTooLong, index, rows);
    }

    private Pooling poolingMode() {
        return Pooling.valueOf(getPooling().toUpperCase(Locale.ROOT));
    }

    public Param<String> pooling() {
        return pooling;
    }

    public BooleanParam normalize() {
        return normalize;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public String getPooling() {
        return getOrDefault(pooling);
    }

    public boolean getNormalize() {
        return (Boolean) getOrDefault(normalize);
    }

    public int getBatchSize() {
        return (Integer) getOrDefault(batchSize);
    }

    /** "mean", "last" or "first" (see {@link Pooling}). */
    public VaneEmbedder setPooling(String p) {
        String v = p == null ? "" : p.trim().toLowerCase(Locale.ROOT);
        if (!List.of("mean", "last", "first").contains(v)) throw new IllegalArgumentException("pooling must be mean, last or first, got " + p);
        set(pooling, v);
        return this;
    }

    public VaneEmbedder setNormalize(boolean on) {
        set(normalize, on);
        return this;
    }

    public VaneEmbedder setBatchSize(int n) {
        if (n < 1 || n > 4096) throw new IllegalArgumentException("batchSize must be in 1..4096, got " + n);
        set(batchSize, n);
        return this;
    }
}
