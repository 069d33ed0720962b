package dev.vane.attention;

import dev.vane.DType;
import dev.vane.Tensor;
import dev.vane.bindings.NativeLayouts;
import dev.vane.bindings.VaneNative;
import dev.vane.internal.Native;
import dev.vane.internal.Segments;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;

/**
 * A paged KV cache in native memory this object owns: a pool of blocks, each holding
 * {@code blockTokens} positions of every KV head's keys and values, shared by many
 * {@link Sequence}s through their block tables. Storage is f32, f16 or FP8 E4M3 with a scale
 * per (position, head) vector. A forked sequence shares its parent's blocks and copies a block
 * only when it writes into a shared one. A streaming sequence keeps its first {@code sinks}
 * positions and the most recent {@code window} (StreamingLLM), evicting whole blocks between,
 * so that generation goes on with bounded memory; its keys are stored unrotated and rotated at
 * attention time by their position in the cache ({@link Attention#decode(Tensor, Sequence, Rope, Tensor)}).
 * A windowed sequence serves a sliding-window layer: it keeps the last {@code window + spare}
 * positions and gives older blocks back to the pool as it grows, its positions unchanged.
 *
 * <p>Not thread-safe: one thread at a time appends to and reads a cache's sequences.
 */
public final class KvCache implements AutoCloseable {
    /** How keys and values are stored. */
    public enum Storage {
        F32(0), F16(1), FP8_E4M3(2);

        final int id;

        Storage(int id) {
            this.id = id;
        }
    }

    private final Arena arena = dev.vane.NativeMemory.sharedArena();
    private final int kvHeads;
    private final int headDim;
    private final int blockTokens;
    private final int blocks;
    private final Storage storage;
    private final MemorySegment struct;  // vane_kv_cache
    private final int[] refs;            // sequences holding each block
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private static final int RELEASED = -1;  // vane.h's VANE_KV_RELEASED: a windowed sequence's block given back

    /**
     * @param kvHeads     KV heads per position
     * @param headDim     1..512
     * @param blockTokens positions per block
     * @param blocks      blocks in the pool (its capacity in positions is blocks · blockTokens)
     */
    public KvCache(int kvHeads, int headDim, int blockTokens, int blocks, Storage storage) {
        checkShape(kvHeads, headDim, blockTokens, blocks);
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.blockTokens = blockTokens;
        this.blocks = blocks;
        this.storage = Objects.requireNonNull(storage, "storage must not be null");
        try {
            struct = describe(arena, kvHeads, headDim, blockTokens, blocks, storage);
            MemorySegment sizes = arena.allocate(ValueLayout.JAVA_LONG, 2);
            Native.check((int) VaneNative.KV_CACHE_BYTES.invokeExact(struct, sizes, sizes.asSlice(8)));
            long kvBytes = sizes.getAtIndex(ValueLayout.JAVA_LONG, 0), scaleBytes = sizes.getAtIndex(ValueLayout.JAVA_LONG, 1);
            NativeLayouts.KV_CACHE_K.set(struct, arena.allocate(kvBytes, 64));
            NativeLayouts.KV_CACHE_V.set(struct, arena.allocate(kvBytes, 64));
            NativeLayouts.KV_CACHE_K_SCALES.set(struct, scaleBytes > 0 ? arena.allocate(scaleBytes, 64) : MemorySegment.NULL);
            NativeLayouts.KV_CACHE_V_SCALES.set(struct, scaleBytes > 0 ? arena.allocate(scaleBytes, 64) : MemorySegment.NULL);
        } catch (Throwable t) {
            arena.close();
            throw Native.rethrow(t);
        }
        refs = new int[blocks];
        for (int b = 0; b < blocks; b++) free.add(b);
    }

    /**
     * The bytes a cache of this shape allocates (keys, values and FP8 scales), as libvane sizes
     * it, without allocating them: what a caller checks against its memory first.
     */
    public static long bytes(int kvHeads, int headDim, int blockTokens, int blocks, Storage storage) {
        checkShape(kvHeads, headDim, blockTokens, blocks);
        Objects.requireNonNull(storage, "storage must not be null");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sizes = a.allocate(ValueLayout.JAVA_LONG, 2);
            Native.check((int) VaneNative.KV_CACHE_BYTES.invokeExact(describe(a, kvHeads, headDim, blockTokens, blocks, storage), sizes,
                    sizes.asSlice(8)));
            return 2 * (sizes.getAtIndex(ValueLayout.JAVA_LONG, 0) + sizes.getAtIndex(ValueLayout.JAVA_LONG, 1));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static void checkShape(int kvHeads, int headDim, int blockTokens, int blocks) {
        if (kvHeads < 1 || headDim < 1 || headDim > 512 || blockTokens < 1 || blocks < 1) {
            throw new IllegalArgumentException("need kvHeads >= 1, 1 <= headDim <= 512, blockTokens >= 1, blocks >= 1; got " + kvHeads
                    + ", " + headDim + ", " + blockTokens + ", " + blocks);
        }
    }

    // A vane_kv_cache of this shape in arena, its storage pointers not set.
    private static MemorySegment describe(Arena arena, int kvHeads, int headDim, int blockTokens, int blocks, Storage storage) {
        MemorySegment struct = arena.allocate(NativeLayouts.KV_CACHE);
        NativeLayouts.KV_CACHE_DTYPE.set(struct, storage.id);
        NativeLayouts.KV_CACHE_N_KV_HEADS.set(struct, (long) kvHeads);
        NativeLayouts.KV_CACHE_HEAD_DIM.set(struct, (long) headDim);
        NativeLayouts.KV_CACHE_BLOCK_TOKENS.set(struct, (long) blockTokens);
        NativeLayouts.KV_CACHE_N_BLOCKS.set(struct, (long) blocks);
        return struct;
    }

    public int kvHeads() {
        return kvHeads;
    }

    public int headDim() {
        return headDim;
    }

    public int blockTokens() {
        return blockTokens;
    }

    public Storage storage() {
        return storage;
    }

    /** Blocks not held by any sequence. */
    public int freeBlocks() {
        return free.size();
    }

    /** Blocks held by at least one sequence. */
    public int usedBlocks() {
        return blocks - free.size();
    }

    /** A new, empty sequence. */
    public Sequence newSequence() {
        requireOpen();
        return new Sequence(new int[0], 0, 0, 0, 0, 0, 0);
    }

    /**
     * A new, empty windowed sequence for a sliding-window layer (attention window at most
     * {@code window}): it keeps at least its last {@code window + spare} positions, and every
     * position the queries of its last append can see, and gives the blocks wholly older than that
     * back to the pool as it grows (their positions stay; {@link Sequence#firstKept()} says where
     * the kept ones start). {@link #windowBlocks windowBlocks(window, spare, blockTokens)} blocks are
     * enough for any length when each append (a chunk of queries) has at most {@code spare + 1}
     * tokens; {@link Sequence#truncate} can roll back at least the last {@code spare}.
     */
    public Sequence newWindowedSequence(int window, int spare) {
        requireOpen();
        if (window < 1 || spare < 0 || (long) window + spare > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("need window >= 1 and spare >= 0 (window + spare < 2^30), got window " + window + " and spare "
                    + spare);
        }
        return new Sequence(new int[0], 0, 0, 0, window, spare, 0);
    }

    /**
     * Blocks one windowed sequence can hold at once ({@link #newWindowedSequence}): any
     * {@code window + spare} consecutive positions touch at most this many blocks of
     * {@code blockTokens}. A fork needs blocks of its own besides.
     */
    public static int windowBlocks(int window, int spare, int blockTokens) {
        if (window < 1 || spare < 0 || blockTokens < 1 || (long) window + spare > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("need window >= 1, spare >= 0 and blockTokens >= 1, got " + window + ", " + spare + ", "
                    + blockTokens);
        }
        return 1 + (int) (((long) window + spare - 1 + blockTokens - 1) / blockTokens);
    }

    /**
     * A new, empty streaming sequence: it keeps its first {@code sinks} positions and the most
     * recent {@code window} to {@code window + blockTokens - 1} (whole blocks), evicting the oldest
     * blocks between as it grows. Both must be multiples of blockTokens.
     */
    public Sequence newStreamingSequence(int sinks, int window) {
        requireOpen();
        if (sinks < 0 || window < blockTokens || sinks % blockTokens != 0 || window % blockTokens != 0) {
            throw new IllegalArgumentException("sinks (" + sinks + ") and window (" + window + ") must be multiples of blockTokens = "
                    + blockTokens + ", window at least one block");
        }
        return new Sequence(new int[0], 0, sinks, window, 0, 0, 0);
    }

    /** Frees the cache's memory; its sequences become unusable. */
    @Override
    public void close() {
        arena.close();
    }

    MemorySegment struct() {
        requireOpen();
        return struct;
    }

    private void requireOpen() {
        if (!arena.scope().isAlive()) throw new IllegalStateException("the KV cache is closed");
    }

    private int takeBlock() {
        Integer b = free.poll();
        if (b == null) {
            throw new IllegalStateException("KV cache full: all " + blocks + " blocks of " + blockTokens
                    + " positions are in use (free a sequence, or use a streaming or windowed sequence that gives blocks back;"
                    + " a windowed one needs windowBlocks(window, spare, blockTokens) and appends of at most spare + 1 tokens)");
        }
        refs[b] = 1;
        return b;
    }

    private void release(int b) {
        if (--refs[b] == 0) free.push(b);
    }

    /**
     * One sequence's cached positions: its block table, its length. Close it to return its blocks
     * to the pool (blocks shared with a fork stay until both are closed).
     */
    public final class Sequence implements AutoCloseable {
        private int[] table;       // windowed: entries before firstBlock are VANE_KV_RELEASED (-1)
        private long length;
        private final int sinks;   // streaming
        private final int window;  // streaming
        private final int slide;   // windowed: the widest attention window served (0: not windowed)
        private final int spare;   // windowed: positions kept beyond it
        private int firstBlock;    // windowed: blocks before it went back to the pool

        private boolean closed;

        private Sequence(int[] table, long length, int sinks, int window, int slide, int spare, int firstBlock) {
            this.table = table;
            this.length = length;
            this.sinks = sinks;
            this.window = window;
            this.slide = slide;
            this.spare = spare;
            this.firstBlock = firstBlock;
        }

        /** Positions cached (keys 0 .. length - 1). */
        public long length() {
            return length;
        }

        /** Blocks in this sequence's table. */
        public int blocks() {
            return blocksFor(length);
        }

        public KvCache cache() {
            return KvCache.this;
        }

        /** Whether this sequence evicts (sinks + window). */
        public boolean streaming() {
            return window > 0;
        }

        /** Whether this is a windowed sequence ({@link KvCache#newWindowedSequence}). */
        public boolean windowed() {
            return slide > 0;
        }

        /**
         * The oldest position still held: 0, or for a windowed sequence the start of its oldest kept
         * block (the blocks before went back to the pool).
         */
        public long firstKept() {
            return (long) firstBlock * blockTokens;
        }

        int slideWindow() {
            return slide;
        }

        /**
         * Appends n tokens' keys and values, F32 [n, kvHeads, headDim] each. A streaming sequence first
         * evicts the oldest blocks after its sinks so that the result keeps at most sinks + window +
         * blockTokens - 1 positions (and at least sinks + window once it has seen that many). If the
         * write fails (a full cache, or a NaN or Inf into FP8 storage), the sequence keeps what it had
         * before the failing piece; a streaming append of many tokens may have stored and evicted for
         * its earlier pieces. A windowed sequence first gives back the blocks older than both its last
         * {@code window + spare} positions after the append and the oldest key the appended tokens'
         * queries see (position length - window + 1); a failed append keeps its length, those blocks
         * given back all the same.
         */
        public void append(Tensor k, Tensor v) {
            requireUsable();
            Objects.requireNonNull(k, "k must not be null");
            Objects.requireNonNull(v, "v must not be null");
            for (Tensor t : new Tensor[] {k, v}) {
                t.requireDType(DType.F32, "k and v");
                if (t.rank() != 3 || t.dim(1) != kvHeads || t.dim(2) != headDim) {
                    throw new IllegalArgumentException("k and v must be [tokens, " + kvHeads + ", " + headDim + "], got " + t);
                }
                Segments.requireReadable(t.segment(), "k and v", t.segment().byteSize(), "its elements");
                Segments.requireNative(t.segment(), "k and v");
            }
            if (k.dim(0) != v.dim(0)) throw new IllegalArgumentException("k and v must have as many tokens, got " + k + " and " + v);
            long n = k.dim(0);
            long done = 0;
            while (done < n) {
                // A streaming sequence writes at most up to its limit at a time, evicting before each piece.
                long piece = n - done;
                if (streaming()) {
                    evictFor(1);
                    long room = (long) sinks + window + blockTokens - 1 - length;
                    piece = Math.min(piece, Math.max(1, room));
                }
                write(k, v, done, piece);
                done += piece;
            }
        }

        private void write(Tensor k, Tensor v, long from, long n) {
            long end = length + n;
            int need = blocksFor(end);
            if (need > table.length) table = Arrays.copyOf(table, Math.max(need, table.length * 2));
            if (windowed()) releaseBefore(Math.min(end - slide - spare, length - slide + 1));
            int have = blocksFor(length);
            // Copy-on-write: the partly filled last block, if shared.
            if (length % blockTokens != 0 && refs[table[have - 1]] > 1) {
                int copy = takeBlock();
                copyBlock(table[have - 1], copy);
                release(table[have - 1]);
                table[have - 1] = copy;
            }
            int taken = 0;
            try {
                for (int b = have; b < need; b++, taken++) table[b] = takeBlock();
            } catch (IllegalStateException full) {
                for (int b = have; b < have + taken; b++) release(table[b]);
                throw full;
            }
            long row = (long) kvHeads * headDim * 4;
            try (Arena call = Arena.ofConfined()) {
                MemorySegment t = call.allocateFrom(ValueLayout.JAVA_INT, Arrays.copyOf(table, need));
                Native.check((int) VaneNative.KV_WRITE.invokeExact(struct(), t, (long) need, length,
                        k.segment().asSlice(from * row, n * row), v.segment().asSlice(from * row, n * row), n));
            } catch (Throwable e) {
                for (int b = have; b < need; b++) release(table[b]);  // the write failed (e.g. NaN into FP8): give the new blocks back
                throw Native.rethrow(e);
            }
            length = end;
        }

        // Windowed: gives back the held blocks that end at or before position `keep`.
        private void releaseBefore(long keep) {
            while ((long) (firstBlock + 1) * blockTokens <= keep && firstBlock < blocksFor(length)) {
                release(table[firstBlock]);
                table[firstBlock++] = RELEASED;
            }
        }

        // Streaming: drops the oldest whole blocks after the sinks until `extra` more positions fit.
        private void evictFor(long extra) {
            int sinkBlocks = sinks / blockTokens;
            while (length + extra > (long) sinks + window + blockTokens - 1 && blocksFor(length) > sinkBlocks + 1) {
                int used = blocksFor(length);
                release(table[sinkBlocks]);
                System.arraycopy(table, sinkBlocks + 1, table, sinkBlocks, used - sinkBlocks - 1);
                length -= blockTokens;
            }
        }

        /**
         * Keeps positions 0 .. newLength - 1, returning whole blocks past them to the pool. A windowed
         * sequence cannot go back before {@link #firstKept()} (IllegalStateException).
         */
        public void truncate(long newLength) {
            requireUsable();
            if (newLength < 0 || newLength > length) {
                throw new IllegalArgumentException("can truncate to 0.." + length + " positions, not " + newLength);
            }
            if (newLength < firstKept()) {
                throw new IllegalStateException("cannot truncate to " + newLength + " positions: this windowed sequence keeps positions from "
                        + firstKept() + " on (the blocks before went back to the pool)");
            }
            for (int b = blocksFor(newLength); b < blocksFor(length); b++) release(table[b]);
            length = newLength;
        }

        /**
         * A new sequence with the same positions (and the same kind: streaming, windowed), sharing this
         * one's blocks until either writes into a shared one.
         */
        public Sequence fork() {
            requireUsable();
            int used = blocksFor(length);
            for (int b = firstBlock; b < used; b++) refs[table[b]]++;
            return new Sequence(Arrays.copyOf(table, Math.max(used, 1)), length, sinks, window, slide, spare, firstBlock);
        }

        /** Returns this sequence's blocks to the pool. */
        @Override
        public void close() {
            if (closed) return;
            closed = true;
            if (arena.scope().isAlive()) for (int b = firstBlock; b < blocksFor(length); b++) release(table[b]);
        }

        /** The block table as native ints in the arena (released entries -1), and its length, for a call. */
        MemorySegment table(Arena call) {
            requireUsable();
            return call.allocateFrom(ValueLayout.JAVA_INT, Arrays.copyOf(table, Math.max(blocksFor(length), 1)));
        }

        private void requireUsable() {
            requireOpen();
            if (closed) throw new IllegalStateException("the sequence is closed");
        }

        private int blocksFor(long positions) {
            return (int) ((positions + blockTokens - 1) / blockTokens);
        }

        @Override
        public String toString() {
            return "KvCache.Sequence[" + length + " positions in " + (blocksFor(length) - firstBlock) + " blocks" + (streaming() ? ", sinks "
                    + sinks + ", window " + window : "") + (windowed() ? ", window " + slide + " + spare " + spare + ", kept from "
                    + firstKept() : "") + "]";
        }
    }

    private void copyBlock(int from, int to) {
        try (Arena call = Arena.ofConfined()) {
            Native.check((int) VaneNative.KV_COPY_BLOCKS.invokeExact(struct(), call.allocateFrom(ValueLayout.JAVA_INT, from),
                    call.allocateFrom(ValueLayout.JAVA_INT, to), 1L));
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    @Override
    public String toString() {
        return "KvCache[" + storage + ", " + kvHeads + " KV heads x " + headDim + ", " + blocks + " blocks of " + blockTokens + ", "
                + usedBlocks() + " used]";
    }
}
