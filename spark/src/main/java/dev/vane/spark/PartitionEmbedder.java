package dev.vane.spark;

import dev.vane.model.Model;
import dev.vane.model.Pooling;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One partition's texts to vectors, batchSize rows at a time through {@link Model#embed} (short
 * texts share forward passes there), in input order. A null text gives a null vector; a text
 * that does not fit a session's context, or has no tokens, fails the task or gets an error value
 * (onTooLong).
 */
final class PartitionEmbedder implements Iterator<Row> {
    private final Model model;
    private final Pooling pooling;
    private final boolean normalize;
    private final int batchSize;
    private final TooLong onTooLong;
    private final int inputIndex;
    private final Iterator<Row> rows;
    private final int context;
    private Iterator<Row> ready = List.<Row>of().iterator();
    private long read;

    PartitionEmbedder(Model model, Pooling pooling, boolean normalize, int batchSize, TooLong onTooLong, int inputIndex, Iterator<Row> rows) {
        this.model = model;
        this.pooling = pooling;
        this.normalize = normalize;
        this.batchSize = batchSize;
        this.onTooLong = onTooLong;
        this.inputIndex = inputIndex;
        this.rows = rows;
        this.context = Math.min(model.config().contextLength(), 4096);  // what Model.embed's sessions hold
    }

    @Override
    public boolean hasNext() {
        if (!ready.hasNext() && rows.hasNext()) ready = nextBatch();
        return ready.hasNext();
    }

    @Override
    public Row next() {
        if (!hasNext()) throw new NoSuchElementException("the partition has no more rows");
        return ready.next();
    }

    private Iterator<Row> nextBatch() {
        List<Row> in = new ArrayList<>(batchSize);
        List<String> errors = new ArrayList<>(batchSize), texts = new ArrayList<>(batchSize);
        while (in.size() < batchSize && rows.hasNext()) {
            Row row = rows.next();
            long index = read++;
            in.add(row);
            String why = null;
            if (!row.isNullAt(inputIndex)) {
                String text = row.getString(inputIndex);
                int n = model.tokenizer().encode(text, true).length;
                if (n == 0) why = "the text has no tokens (and the vocabulary no BOS)";
                else if (n > context) why = "the text has " + n + " tokens but a session holds " + context;
                if (why == null) texts.add(text);
                else if (onTooLong == TooLong.FAIL) {
                    throw new IllegalArgumentException("row " + index + " of this partition: " + why + "; shorten it, or set onTooLong to \"error\" to give such rows an error value");
                }
            }
            errors.add(why);
        }
        List<float[]> vectors = texts.isEmpty() ? List.of() : model.embed(texts, pooling, normalize);
        List<Row> out = new ArrayList<>(in.size());
        for (int i = 0, v = 0; i < in.size(); i++) {
            Row row = in.get(i);
            boolean ran = !row.isNullAt(inputIndex) && errors.get(i) == null;
            out.add(append(row, ran ? Vectors.dense(toDoubles(vectors.get(v++))) : null, errors.get(i)));
        }
        return out.iterator();
    }

    private Row append(Row in, Object vector, String error) {
        int n = in.length();
        Object[] values = new Object[n + (onTooLong == TooLong.ERROR ? 2 : 1)];
        for (int i = 0; i < n; i++) values[i] = in.get(i);
        values[n] = vector;
        if (onTooLong == TooLong.ERROR) values[n + 1] = error;
        return RowFactory.create(values);
    }

    static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }
}
