package dev.vane.spark;

import dev.vane.model.GenerationOptions;
import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.Scheduler;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One partition's rows through batched decoding: rows are read ahead, at most maxInFlight of
 * them, and submitted to a scheduler of the partition's own that steps batchSize sequences
 * together (a freed slot takes the next row between two steps); rows come out in the order they
 * came in, each with its completion (and, when the job has an error column, null or why the
 * row could not run). A null input gives a null completion.
 *
 * <p>The scheduler is this task's, on the JVM's shared model; it is closed when the partition
 * is done or the task ends (cancelled or failed), cancelling what still runs.
 */
final class PartitionGenerator implements Iterator<Row>, AutoCloseable {
    // A row read and not yet returned: its ticket, or the reason it does not run, or neither (a null input).
    private record Pending(Row row, long index, Scheduler.Ticket ticket, String error) {}

    private final Model model;
    private final GeneratorSettings settings;
    private final GenerationOptions options;
    private final PromptInput kind;
    private final int inputIndex;
    private final boolean errorColumn;
    private final Iterator<Row> rows;
    private final int context;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private Scheduler scheduler;  // opened with the first row that runs
    private long read;
    private boolean closed;

    PartitionGenerator(Model model, GeneratorSettings settings, PromptInput kind, int inputIndex, boolean errorColumn, Iterator<Row> rows) {
        this.model = model;
        this.settings = settings;
        this.options = settings.options();
        this.kind = kind;
        this.inputIndex = inputIndex;
        this.errorColumn = errorColumn;
        this.rows = rows;
        this.context = settings.context(model.config());
    }

    @Override
    public boolean hasNext() {
        fill();
        if (pending.isEmpty()) {
            close();
            return false;
        }
        return true;
    }

    @Override
    public Row next() {
        if (!hasNext()) throw new NoSuchElementException("the partition has no more rows");
        Row out = finish(pending.poll());
        fill();  // the scheduler goes on with the next rows while Spark takes this one
        return out;
    }

    // Reads rows until maxInFlight are pending or the partition is read.
    private void fill() {
        while (!closed && pending.size() < settings.maxInFlight() && rows.hasNext()) pending.add(submit(rows.next(), read++));
    }

    private Pending submit(Row row, long index) {
        if (row.isNullAt(inputIndex)) return new Pending(row, index, null, null);
        int[] ids;
        try {
            ids = kind.tokens(model, row, inputIndex, options.addBos());
        } catch (IllegalArgumentException e) {
            return rejected(row, index, e.getMessage());
        }
        if (ids.length == 0) return rejected(row, index, "the prompt has no tokens (an empty text without BOS)");
        if (ids.length > context) {
            return rejected(row, index, "the prompt has " + ids.length + " tokens but a sequence holds " + context + " positions (contextLength)");
        }
        if (scheduler == null) scheduler = model.newScheduler(settings.schedulerOptions(model.config()));
        return new Pending(row, index, scheduler.submit(ids, options, t -> true), null);
    }

    // A row that cannot run: an error value, or the task fails (onTooLong).
    private Pending rejected(Row row, long index, String why) {
        if (settings.onTooLong() == TooLong.ERROR) return new Pending(row, index, null, why);
        throw new IllegalArgumentException("row " + index + " of this partition: " + why
                + "; shorten it, raise contextLength, or set onTooLong to \"error\" to give such rows an error value");
    }

    private Row finish(Pending p) {
        String text = null;
        if (p.ticket() != null) {
            GenerationResult r;
            try {
                r = p.ticket().result().join();
            } catch (CompletionException | CancellationException e) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                throw new IllegalStateException("row " + p.index() + " of this partition: the generation failed: " + cause, cause);
            }
            text = r.text();
        }
        Row in = p.row();
        int n = in.length();
        Object[] values = new Object[n + (errorColumn ? 2 : 1)];
        for (int i = 0; i < n; i++) values[i] = in.get(i);
        values[n] = text;
        if (errorColumn) values[n + 1] = p.error();
        return RowFactory.create(values);
    }

    /** Cancels what still runs and frees the scheduler. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (scheduler != null) scheduler.close();
        pending.clear();
    }
}
