package dev.vane.model;

import dev.vane.MachineCeilings;
import dev.vane.attention.KvCache;

/**
 * Refuses KV caches larger than the memory they would live in before any of it is allocated: a
 * session's caches ({@link Transformer}) and a scheduler's pool ({@link KvPool}) are sized here
 * first: a context the options allow (up to 2^22 positions) on a large model can come to more
 * memory than the machine has, which would otherwise be allocated and zeroed. The bound is the system
 * property {@value #MAX_BYTES_PROPERTY} (bytes) when set, else the physical memory (or the
 * container's limit) the JDK reports; with neither known nothing is refused.
 */
final class KvBudget {
    private KvBudget() {}

    /** A lower bound than the machine's memory, for a process that shares it (e.g. several models). */
    static final String MAX_BYTES_PROPERTY = "vane.kv.maxBytes";

    /**
     * Throws unless caches of blocks[l] blocks per layer l fit the bound.
     *
     * @param what   what asks for them, for the message ("a session of 1048576 positions")
     * @param remedy what to change ("open it with a shorter context ...")
     */
    static void require(ModelConfig c, int[] blocks, KvCache.Storage storage, String what, String remedy) {
        long total = 0;
        for (int b : blocks) {
            long layer = KvCache.bytes(c.kvHeads(), c.headDim(), Transformer.BLOCK_TOKENS, b, storage);
            total = layer > Long.MAX_VALUE - total ? Long.MAX_VALUE : total + layer;
        }
        String property = System.getProperty(MAX_BYTES_PROPERTY);
        long bound;
        String of;
        if (property != null) {
            try {
                bound = Long.parseLong(property.trim());
            } catch (NumberFormatException e) {
                bound = -1;
            }
            if (bound < 1) throw new IllegalArgumentException("-D" + MAX_BYTES_PROPERTY + " must be a positive number of bytes, got '" + property + "'");
            of = "the " + gib(bound) + " that -D" + MAX_BYTES_PROPERTY + " allows";
        } else {
            bound = MachineCeilings.physicalMemory();
            of = "this machine's " + gib(bound) + " of memory";
        }
        if (bound > 0 && total > bound) {
            throw new IllegalArgumentException(what + " needs " + gib(total) + " of KV cache (" + c.layers() + " layers x " + c.kvHeads() + " KV heads x "
                    + c.headDim() + " dims, keys and values, " + storage + "), more than " + of + ": " + remedy);
        }
    }

    private static String gib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }
}
