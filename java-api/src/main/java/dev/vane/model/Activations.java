package dev.vane.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The buffers of one forward pass over up to {@link #rows} token rows: the residual stream, the
 * normalized input, the projections, attention's output, and the final rows (normalized hidden
 * state and logits) of up to {@link #rows} sequences. A session's own ({@link Transformer}) and
 * a batch's ({@link Batch}) are each one of these; closing frees them.
 */
final class Activations implements AutoCloseable {
    final int rows;
    final MemorySegment x, h, qkv, q, k, v, att, tmp, last, logits;
    private final Arena arena = dev.vane.NativeMemory.sharedArena();

    /** Room for `rows` token rows and `lastRows` rows of final hidden state and logits. */
    Activations(ModelConfig c, int rows, int lastRows) {
        this.rows = rows;
        long d = c.dim();
        try {  // an allocation that fails frees what came before it
            x = buffer(rows * d);
            h = buffer(rows * d);
            qkv = buffer((long) rows * (c.qDim() + 2L * c.kvDim()));
            q = buffer((long) rows * c.qDim());
            k = buffer((long) rows * c.kvDim());
            v = buffer((long) rows * c.kvDim());
            att = buffer((long) rows * c.qDim());
            tmp = buffer(rows * d);
            last = buffer(lastRows * d);
            logits = buffer((long) lastRows * c.vocab());
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private MemorySegment buffer(long floats) {
        return arena.allocate(floats * 4, 64);
    }

    @Override
    public void close() {
        arena.close();
    }
}
