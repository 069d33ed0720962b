package dev.vane;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The off-heap memory Vane holds, counted: every long-lived arena the runtime opens (a model's
 * weights and mapped files, tensors and matrices that own their memory, a session's or batch's
 * buffers, KV caches) comes from {@link #sharedArena()}, which counts its allocations and its
 * close. A diagnostic for leak checks: with every model, session, batch, scheduler and owning
 * tensor closed, {@link #liveBytes()} and {@link #liveArenas()} are back where they started.
 *
 * <p>Not counted: the confined arenas a kernel call opens and closes around itself, the bytes of
 * memory-mapped files (their arena is counted, their pages belong to the page cache), and
 * GC-managed ({@link Arena#ofAuto()}) memory such as RoPE tables and native call structs.
 * Counting costs one atomic add per allocation and per close, none per kernel call.
 */
public final class NativeMemory {
    private static final AtomicLong BYTES = new AtomicLong(), ARENAS = new AtomicLong(), OPENED = new AtomicLong();

    private NativeMemory() {}

    /** Bytes allocated from counted arenas that are still open. */
    public static long liveBytes() {
        return BYTES.get();
    }

    /** Counted arenas open now. */
    public static long liveArenas() {
        return ARENAS.get();
    }

    /** Counted arenas opened since the JVM started (closed ones included). */
    public static long openedArenas() {
        return OPENED.get();
    }

    /** A new shared arena whose allocations and close the counters see; close it as any arena. */
    public static Arena sharedArena() {
        return new Counted(Arena.ofShared());
    }

    // A shared arena that adds what it allocates to BYTES and takes it back when it closes.
    private static final class Counted implements Arena {
        private final Arena inner;
        private final AtomicLong bytes = new AtomicLong();
        private final AtomicBoolean closed = new AtomicBoolean();

        Counted(Arena inner) {
            this.inner = inner;
            ARENAS.incrementAndGet();
            OPENED.incrementAndGet();
        }

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            MemorySegment s = inner.allocate(byteSize, byteAlignment);
            bytes.addAndGet(byteSize);
            BYTES.addAndGet(byteSize);
            return s;
        }

        @Override
        public MemorySegment.Scope scope() {
            return inner.scope();
        }

        @Override
        public void close() {
            inner.close();  // throws (and counts nothing) if already closed or still in use by a call
            if (closed.compareAndSet(false, true)) {
                BYTES.addAndGet(-bytes.get());
                ARENAS.decrementAndGet();
            }
        }
    }
}
