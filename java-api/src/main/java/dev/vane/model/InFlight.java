package dev.vane.model;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The passes running on a model's weights, so that {@link Model#close()} never frees memory a
 * kernel reads: each pass (a forward pass, a final norm and output projection) {@link #enter}s
 * before its first native call and {@link #exit}s after its last; {@link #close} refuses new
 * passes and waits for those running. The kernels take the weights by address inside native
 * structs, which FFM does not keep alive by itself.
 *
 * <p>Cost per pass: one atomic increment, one volatile read and one atomic decrement (tens of
 * nanoseconds against a decode step of tenths of milliseconds or more). Why a counter and a flag
 * and not a read-write lock: the same guarantee with nothing for exit to signal; close polls, and
 * closes are rare. Correct because the increment and the flag are both sequentially consistent:
 * either enter sees the flag and backs out, or close sees the count and waits.
 */
final class InFlight {
    static final String CLOSED = "the model is closed";

    private final AtomicInteger passes = new AtomicInteger();
    private volatile boolean closed;

    /**
     * A pass begins; pair with {@link #exit()} in a finally block.
     *
     * @throws IllegalStateException if the model is closed (nothing has run then)
     */
    void enter() {
        passes.incrementAndGet();
        if (closed) {
            passes.decrementAndGet();
            throw new IllegalStateException(CLOSED);
        }
    }

    /** The pass that entered has made its last native call. */
    void exit() {
        passes.decrementAndGet();
    }

    boolean closed() {
        return closed;
    }

    /** Passes running now. */
    int running() {
        return passes.get();
    }

    /**
     * Refuses new passes and returns once none runs: the weights may be freed then. Must not be
     * called from inside a pass (it would wait for itself). Uninterruptible: a pass ends on its
     * own, and freeing under it is what this prevents.
     */
    void close() {
        closed = true;
        long sleep = TimeUnit.MICROSECONDS.toNanos(20);
        boolean interrupted = false;
        while (passes.get() != 0) {
            LockSupport.parkNanos(sleep);
            interrupted |= Thread.interrupted();  // an interrupt would end every park at once: kept for the end
            sleep = Math.min(sleep * 2, TimeUnit.MILLISECONDS.toNanos(1));
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
