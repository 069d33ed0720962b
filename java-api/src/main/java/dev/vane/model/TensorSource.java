package dev.vane.model;

import dev.vane.DType;
import dev.vane.QuantizedMatrix;
import dev.vane.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Where a model's tensors come from, by {@link Weight}: a GGUF file ({@link GgufSource}) or a
 * Hugging Face checkpoint's shards ({@link SafetensorsSource}). The {@link WeightAssembler} reads
 * every family through this one interface.
 */
interface TensorSource {
    /** Layer l's tensor w (l ignored for model-wide ones), or null when the files have none. */
    Source find(Weight w, int layer);

    /** The name w has in these files (for messages about a missing tensor). */
    String nameOf(Weight w, int layer);

    /** What the files are, for messages: "GGUF file", "checkpoint". */
    String kind();

    /**
     * A hyper-parameter's key as these files spell it, for messages: the GGUF key after the
     * architecture prefix ("expert_count" gives "llama.expert_count"), or the config.json one.
     */
    String keyName(String ggufKey, String configKey);

    /** One tensor as the files hold it. */
    interface Source {
        /** Its name in the files. */
        String name();

        /** Its shape, outermost first ([experts, rows, cols] for stacked experts). */
        long[] shape();

        /** The element type's name as the file says it (Q4_K, BF16, ...). */
        String type();

        /** Slice i of the outermost dimension as a matrix (expert i; 0 for a 2-D tensor), in the stored format, its scales checked. */
        QuantizedMatrix matrix(int i);

        /** Row i of the outermost dimension (all of a 1-D tensor at 0) as F32, copied into arena when the file holds another type. */
        Tensor floats(int i, Arena arena);
    }

    /** F32 floats of n elements of dtype at data, copied into arena unless they can be used in place. */
    static Tensor floats(MemorySegment data, DType dtype, long n, Arena arena, String name) {
        if (dtype == DType.F32 && data.address() % 4 == 0) return Tensor.wrap(data, n);
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new ModelFormatException("tensor '" + name + "' is " + dtype + "; expected F32, F16 or BF16");
        }
        Tensor out = Tensor.allocate(arena, n);
        Tensor src = Tensor.wrap(arena.allocate(data.byteSize(), 64).copyFrom(data), dtype, n);
        for (long i = 0; i < n; i++) out.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, src.get(i));
        return out;
    }
}
