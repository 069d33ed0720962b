package dev.vane.spark;

import java.util.Iterator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskCompletionListener;

/**
 * A Spark ML Transformer that generates a completion for each row: the input column holds a
 * prompt (string) or a conversation (array of structs with role and content, rendered in the
 * model's chat format), the output column gets the generated text. Generation parameters are ML
 * Params (maxTokens, temperature, topK, topP, minP, repetitionPenalty, repeatLastN, seed,
 * ignoreEos, addBos); each row is generated as {@code Session.generate} would alone, with the
 * same seed for every row, so the output does not depend on how the rows are partitioned.
 *
 * <p>Each executor JVM opens the model once ({@link ExecutorModels}); each partition's rows go
 * through batched decoding, batchSize sequences stepped together and at most maxInFlight rows
 * read ahead, and come out in their input order ({@link PartitionGenerator}).
 *
 * <pre>{@code
 * VaneGenerator g = new VaneGenerator().setModelPath("/shared/models/qwen2.5-0.5b-q4_0.gguf")
 *         .setInputCol("prompt").setOutputCol("completion").setMaxTokens(64).setBatchSize(8);
 * Dataset<Row> out = g.transform(prompts);
 * }</pre>
 */
public final class VaneGenerator extends VaneTransformer<VaneGenerator> {
    private static final long serialVersionUID = 1L;

    private final IntParam maxTokens = new IntParam(this, "maxTokens", "most tokens generated for a row (>= 1)", ParamValidators.gtEq(1));
    private final DoubleParam temperature = new DoubleParam(this, "temperature", "sampling temperature; 0 is greedy (>= 0)", ParamValidators.gtEq(0));
    private final IntParam topK = new IntParam(this, "topK", "keep the k most likely tokens; 0 is off (>= 0)", ParamValidators.gtEq(0));
    private final DoubleParam topP = new DoubleParam(this, "topP", "nucleus sampling mass; 1 is off (0, 1]", ParamValidators.inRange(0, 1, false, true));
    private final DoubleParam minP = new DoubleParam(this, "minP", "drop tokens less than minP times as likely as the best; 0 is off [0, 1]",
            ParamValidators.inRange(0, 1));
    private final DoubleParam repetitionPenalty = new DoubleParam(this, "repetitionPenalty", "penalty on repeated tokens; 1 is off (> 0)", ParamValidators.gt(0));
    private final IntParam repeatLastN = new IntParam(this, "repeatLastN", "tokens the repetition penalty looks back over (>= 0)", ParamValidators.gtEq(0));
    private final LongParam seed = new LongParam(this, "seed", "seed of each row's sampler (every row the same seed)");
    private final BooleanParam ignoreEos = new BooleanParam(this, "ignoreEos", "never draw end of generation: every row runs maxTokens");
    private final BooleanParam addBos = new BooleanParam(this, "addBos", "put the BOS token before each prompt");
    private final IntParam batchSize = new IntParam(this, "batchSize", "sequences of a partition stepped together (1..256)", ParamValidators.inRange(1, 256));
    private final IntParam maxInFlight = new IntParam(this, "maxInFlight", "rows of a partition read and not yet returned (>= batchSize)",
            ParamValidators.gtEq(1));
    private final IntParam contextLength = new IntParam(this, "contextLength",
            "positions of one row's sequence, prompt and generated tokens; 0 for the model's context, at most 4096 (>= 0)", ParamValidators.gtEq(0));
    private final BooleanParam promptCache = new BooleanParam(this, "promptCache", "reuse the KV cache of a shared prompt prefix within a partition");

    public VaneGenerator() {
        this(Identifiable.randomUID("vaneGenerator"));
    }

    /** With a given uid: Spark ML's loader calls this one. */
    public VaneGenerator(String uid) {
        super(uid, "prompt", "completion");
        setDefault(maxTokens, 64);
        setDefault(temperature, 0.0);
        setDefault(topK, 0);
        setDefault(topP, 1.0);
        setDefault(minP, 0.0);
        setDefault(repetitionPenalty, 1.0);
        setDefault(repeatLastN, 64);
        setDefault(seed, 0L);
        setDefault(ignoreEos, false);
        setDefault(addBos, true);
        setDefault(batchSize, 8);
        setDefault(maxInFlight, 16);
        setDefault(contextLength, 0);
        setDefault(promptCache, true);
    }

    /** Spark ML's reader for a saved VaneGenerator (the params; the model is opened again by path). */
    public static MLReader<VaneGenerator> read() {
        return new DefaultParamsReader<>();
    }

    public static VaneGenerator load(String path) {
        return read().load(path);
    }

    /**
     * The settings the params give.
     *
     * @throws IllegalArgumentException if they do not go together (maxInFlight below batchSize, ...)
     */
    public GeneratorSettings settings() {
        return new GeneratorSettings(getMaxTokens(), getTemperature(), getTopK(), getTopP(), getMinP(), getRepetitionPenalty(), getRepeatLastN(), getSeed(),
                getIgnoreEos(), getAddBos(), getBatchSize(), getMaxInFlight(), getContextLength(), getPromptCache(), tooLong());
    }

    @Override
    public StructType transformSchema(StructType schema) {
        StructType out = withOutputs(schema, DataTypes.StringType);  // the input column is there
        PromptInput.of(getInputCol(), schema.apply(getInputCol()).dataType());
        return out;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType in = dataset.schema();
        StructType out = transformSchema(in);
        int index = in.fieldIndex(getInputCol());
        return dataset.toDF().mapPartitions(task(modelSpec(), settings(), PromptInput.of(getInputCol(), in.apply(index).dataType()), index), Encoders.row(out));
    }

    // What each task runs; static, so that only the spec and the settings travel.
    private static MapPartitionsFunction<Row, Row> task(ModelSpec spec, GeneratorSettings settings, PromptInput kind, int index) {
        boolean errorColumn = settings.onTooLong() == TooLong.ERROR;
        return rows -> {
            PartitionGenerator g = new PartitionGenerator(ExecutorModels.get(spec), settings, kind, index, errorColumn, rows);
            TaskContext task = TaskContext.get();
            if (task != null) task.addTaskCompletionListener((TaskCompletionListener) t -> g.close());
            return (Iterator<Row>) g;
        };
    }

    public IntParam maxTokens() {
        return maxTokens;
    }

    public DoubleParam temperature() {
        return temperature;
    }

    public IntParam topK() {
        return topK;
    }

    public DoubleParam topP() {
        return topP;
    }

    public DoubleParam minP() {
        return minP;
    }

    public DoubleParam repetitionPenalty() {
        return repetitionPenalty;
    }

    public IntParam repeatLastN() {
        return repeatLastN;
    }

    public LongParam seed() {
        return seed;
    }

    public BooleanParam ignoreEos() {
        return ignoreEos;
    }

    public BooleanParam addBos() {
        return addBos;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public IntParam maxInFlight() {
        return maxInFlight;
    }

    public IntParam contextLength() {
        return contextLength;
    }

    public BooleanParam promptCache() {
        return promptCache;
    }

    public int getMaxTokens() {
        return (Integer) getOrDefault(maxTokens);
    }

    public double getTemperature() {
        return (Double) getOrDefault(temperature);
    }

    public int getTopK() {
        return (Integer) getOrDefault(topK);
    }

    public double getTopP() {
        return (Double) getOrDefault(topP);
    }

    public double getMinP() {
        return (Double) getOrDefault(minP);
    }

    public double getRepetitionPenalty() {
        return (Double) getOrDefault(repetitionPenalty);
    }

    public int getRepeatLastN() {
        return (Integer) getOrDefault(repeatLastN);
    }

    public long getSeed() {
        return (Long) getOrDefault(seed);
    }

    public boolean getIgnoreEos() {
        return (Boolean) getOrDefault(ignoreEos);
    }

    public boolean getAddBos() {
        return (Boolean) getOrDefault(addBos);
    }

    public int getBatchSize() {
        return (Integer) getOrDefault(batchSize);
    }

    public int getMaxInFlight() {
        return (Integer) getOrDefault(maxInFlight);
    }

    public int getContextLength() {
        return (Integer) getOrDefault(contextLength);
    }

    public boolean getPromptCache() {
        return (Boolean) getOrDefault(promptCache);
    }

    public VaneGenerator setMaxTokens(int n) {
        if (n < 1) throw new IllegalArgumentException("maxTokens must be >= 1, got " + n);
        set(maxTokens, n);
        return this;
    }

    public VaneGenerator setTemperature(double t) {
        if (!(t >= 0) || !Double.isFinite(t)) throw new IllegalArgumentException("temperature must be finite and >= 0 (0 is greedy), got " + t);
        set(temperature, t);
        return this;
    }

    public VaneGenerator setTopK(int k) {
        if (k < 0) throw new IllegalArgumentException("topK must be >= 0 (0 is off), got " + k);
        set(topK, k);
        return this;
    }

    public VaneGenerator setTopP(double p) {
        if (!(p > 0 && p <= 1)) throw new IllegalArgumentException("topP must be in (0, 1] (1 is off), got " + p);
        set(topP, p);
        return this;
    }

    public VaneGenerator setMinP(double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("minP must be in [0, 1] (0 is off), got " + p);
        set(minP, p);
        return this;
    }

    public VaneGenerator setRepetitionPenalty(double penalty) {
        if (!(penalty > 0) || !Double.isFinite(penalty)) throw new IllegalArgumentException("repetitionPenalty must be finite and > 0 (1 is off), got " + penalty);
        set(repetitionPenalty, penalty);
        return this;
    }

    public VaneGenerator setRepeatLastN(int n) {
        if (n < 0) throw new IllegalArgumentException("repeatLastN must be >= 0, got " + n);
        set(repeatLastN, n);
        return this;
    }

    public VaneGenerator setSeed(long s) {
        set(seed, s);
        return this;
    }

    public VaneGenerator setIgnoreEos(boolean ignore) {
        set(ignoreEos, ignore);
        return this;
    }

    public VaneGenerator setAddBos(boolean add) {
        set(addBos, add);
        return this;
    }

    /** Sequences stepped together, 1..256; maxInFlight is raised to it if below. */
    public VaneGenerator setBatchSize(int n) {
        if (n < 1 || n > 256) throw new IllegalArgumentException("batchSize must be in 1..256, got " + n);
        set(batchSize, n);
        if (getMaxInFlight() < n) set(maxInFlight, n);
        return this;
    }

    /** Rows read ahead of the one returned, >= batchSize (so that every slot can be busy). */
    public VaneGenerator setMaxInFlight(int n) {
        if (n < getBatchSize()) throw new IllegalArgumentException("maxInFlight must be >= batchSize (" + getBatchSize() + "), got " + n);
        set(maxInFlight, n);
        return this;
    }

    public VaneGenerator setContextLength(int n) {
        if (n < 0 || n > 1 << 22) throw new IllegalArgumentException("contextLength must be in 0..2^22 (0: the model's), got " + n);
        set(contextLength, n);
        return this;
    }

    public VaneGenerator setPromptCache(boolean on) {
        set(promptCache, on);
        return this;
    }
}
