package dev.vane.spark;

import dev.vane.model.WeightFormat;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What {@link VaneGenerator} and {@link VaneEmbedder} share: the model (path and weight format,
 * see {@link ModelSpec}), the input and output columns, and what a row that cannot run gets
 * (onTooLong: the task fails, or an error value in errorCol). Saved and loaded with Spark ML's
 * default persistence: the params as JSON metadata, never the weights.
 *
 * <p>Spark ML finds params by reflection: every public method without arguments that returns a
 * {@link Param} is one, so the params are methods here (modelPath(), ...) beside their getters
 * and setters.
 */
public abstract class VaneTransformer<T extends VaneTransformer<T>> extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> modelPath;
    private final Param<String> weightFormat;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> errorCol;
    private final Param<String> onTooLong;

    // Spark ML's params take their owner (they read its uid) as they are made, as in Spark's own stages.
    @SuppressWarnings("this-escape")
    protected VaneTransformer(String uid, String inputDefault, String outputDefault) {
        this.uid = uid;
        modelPath = new Param<>(this, "modelPath", "the model: a local path every executor sees (a GGUF file or checkpoint directory),"
                + " or the file name of one shipped with SparkContext.addFile");
        weightFormat = new Param<>(this, "weightFormat", "how the weights are held after loading: as-is (the file's own formats), q8_0, q4_0, int4, fp8, ...");
        inputCol = new Param<>(this, "inputCol", "input column name");
        outputCol = new Param<>(this, "outputCol", "output column name");
        errorCol = new Param<>(this, "errorCol", "with onTooLong = error: the column that holds why a row did not run (null for rows that ran)");
        onTooLong = new Param<>(this, "onTooLong", "a row whose input does not fit the context (or has no tokens): fail (the task fails) or error"
                + " (a null output and the reason in errorCol)", ParamValidators.inArray(List.of("fail", "error")));
        setDefault(weightFormat, "as-is");
        setDefault(inputCol, inputDefault);
        setDefault(outputCol, outputDefault);
        setDefault(errorCol, "error");
        setDefault(onTooLong, "fail");
    }

    @SuppressWarnings("unchecked")
    private T self() {
        return (T) this;
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public T copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public Param<String> modelPath() {
        return modelPath;
    }

    public Param<String> weightFormat() {
        return weightFormat;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public Param<String> errorCol() {
        return errorCol;
    }

    public Param<String> onTooLong() {
        return onTooLong;
    }

    public String getModelPath() {
        return getOrDefault(modelPath);
    }

    public String getWeightFormat() {
        return getOrDefault(weightFormat);
    }

    public String getInputCol() {
        return getOrDefault(inputCol);
    }

    public String getOutputCol() {
        return getOrDefault(outputCol);
    }

    public String getErrorCol() {
        return getOrDefault(errorCol);
    }

    public String getOnTooLong() {
        return getOrDefault(onTooLong);
    }

    public T setModelPath(String path) {
        new ModelSpec(path, "as-is");  // a null or empty path fails here with what is expected
        set(modelPath, path);
        return self();
    }

    /** A {@link WeightFormat#parse} name; an unknown one is refused with the names it takes. */
    public T setWeightFormat(String format) {
        WeightFormat.parse(requireText("weightFormat", format));
        set(weightFormat, format);
        return self();
    }

    public T setInputCol(String column) {
        set(inputCol, requireText("inputCol", column));
        return self();
    }

    public T setOutputCol(String column) {
        set(outputCol, requireText("outputCol", column));
        return self();
    }

    public T setErrorCol(String column) {
        set(errorCol, requireText("errorCol", column));
        return self();
    }

    /** "fail" or "error" (see {@link TooLong}). */
    public T setOnTooLong(String policy) {
        set(onTooLong, TooLong.parse(policy).paramValue());
        return self();
    }

    /** The model these params name; IllegalArgumentException if modelPath was never set. */
    public ModelSpec modelSpec() {
        if (!isDefined(modelPath)) throw new IllegalArgumentException(getClass().getSimpleName() + " " + uid + ": set modelPath (setModelPath) to the model's file");
        return new ModelSpec(getModelPath(), getWeightFormat());
    }

    protected TooLong tooLong() {
        return TooLong.parse(getOnTooLong());
    }

    /**
     * The schema with the output column (of type out) and, with onTooLong = error, the error
     * column added; IllegalArgumentException if the input column is missing or a new one exists.
     */
    protected StructType withOutputs(StructType schema, DataType out) {
        String in = getInputCol();
        if (!Arrays.asList(schema.fieldNames()).contains(in)) {
            throw new IllegalArgumentException("input column " + in + " is not in the data; its columns are " + String.join(", ", schema.fieldNames()));
        }
        StructType s = schema.add(newColumn(schema, getOutputCol(), out));
        if (tooLong() == TooLong.ERROR) s = s.add(newColumn(s, getErrorCol(), DataTypes.StringType));
        return s;
    }

    private static StructField newColumn(StructType schema, String name, DataType type) {
        if (Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("output column " + name + " already exists; choose another name (setOutputCol / setErrorCol)");
        }
        return DataTypes.createStructField(name, type, true);
    }

    private static String requireText(String what, String value) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException(what + " must be a non-empty name, got " + (value == null ? "null" : "\"" + value + "\""));
        return value;
    }
}
