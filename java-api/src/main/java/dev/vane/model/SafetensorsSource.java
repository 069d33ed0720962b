package dev.vane.model;

import dev.vane.DType;
import dev.vane.QuantizedMatrix;
import dev.vane.Tensor;
import dev.vane.model.safetensors.SafetensorsFile;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * A Hugging Face checkpoint's tensors (one or more shards) by the names transformers gives each
 * {@link Weight} in the Llama, Mistral, Mixtral, Qwen2 and Qwen3 (MoE) families. Stacked experts
 * are the per-expert tensors (mlp.experts.E.*_proj or Mixtral's block_sparse_moe.experts.E.w1/w3/w2).
 * F32/F16/BF16 tensors are used in place (copied if unaligned); F8_E4M3 ones with their
 * weight_scale_inv / weight_scale companions become Vane FP8 matrices.
 */
final class SafetensorsSource implements TensorSource {
    private final List<SafetensorsFile> shards;
    private final Arena arena;
    private final boolean tied;

    /** tied: config.json's tie_word_embeddings (the output matrix is the embedding table even if lm_head is present). */
    SafetensorsSource(List<SafetensorsFile> shards, Arena arena, boolean tied) {
        this.shards = shards;
        this.arena = arena;
        this.tied = tied;
    }

    @Override
    public Source find(Weight w, int layer) {
        if (w == Weight.OUTPUT && tied) return null;
        for (String pattern : CheckpointNames.patterns(w)) {
            String name = pattern.replace("%d", Integer.toString(layer));
            if (!name.contains("%e")) {
                SafetensorsFile f = shard(name);
                if (f != null) return new One(f, f.tensor(name), arena);
                continue;
            }
            List<One> experts = new ArrayList<>();
            for (int e = 0; ; e++) {
                String n = name.replace("%e", Integer.toString(e));
                SafetensorsFile f = shard(n);
                if (f == null) break;
                experts.add(new One(f, f.tensor(n), arena));
            }
            if (!experts.isEmpty()) return new Stacked(name, experts);
        }
        return null;
    }

    @Override
    public String nameOf(Weight w, int layer) {
        List<String> n = CheckpointNames.patterns(w);
        return n.isEmpty() ? w.ggufName(layer) + " (no checkpoint name)" : n.get(0).replace("%d", Integer.toString(layer));
    }

    @Override
    public String kind() {
        return "checkpoint";
    }

    @Override
    public String keyName(String ggufKey, String configKey) {
        return "config.json " + configKey;
    }

    private SafetensorsFile shard(String name) {
        for (SafetensorsFile f : shards) if (f.tensors().containsKey(name)) return f;
        return null;
    }

    private record One(SafetensorsFile file, SafetensorsFile.Tensor t, Arena arena) implements Source {
        @Override
        public String name() {
            return t.name();
        }

        @Override
        public long[] shape() {
            long[] s = t.shape();
            int skip = 0;
            while (s.length - skip > 1 && s[skip] == 1) skip++;  // [1, dim] gate vectors as [dim]
            return java.util.Arrays.copyOfRange(s, skip, s.length);
        }

        @Override
        public String type() {
            return t.dtype().toString();
        }

        @Override
        public QuantizedMatrix matrix(int i) {
            try {
                return switch (t.dtype()) {
                    case F32, F16, BF16 -> file.matrix(t.name(), arena);
                    case F8_E4M3 -> file.fp8Matrix(t.name(), arena);
                    default -> throw new ModelFormatException("tensor '" + t.name() + "' is " + t.dtype() + "; Vane loads F32, F16, BF16 and F8_E4M3 weights");
                };
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(e.getMessage(), e);
            }
        }

        @Override
        public Tensor floats(int i, Arena into) {
            DType d = switch (t.dtype()) {
                case F32 -> DType.F32;
                case F16 -> DType.F16;
                case BF16 -> DType.BF16;
                default -> throw new ModelFormatException("tensor '" + t.name() + "' is " + t.dtype() + "; expected F32, F16 or BF16");
            };
            long[] s = shape();
            long n = s[s.length - 1], bytes = n * d.byteSize();
            return TensorSource.floats(t.data().asSlice(i * bytes, bytes), d, n, into, t.name());
        }
    }

    // Per-expert tensors seen as one [experts, rows, cols] tensor.
    private record Stacked(String pattern, List<One> experts) implements Source {
        @Override
        public String name() {
            return pattern.replace("%e", "*");
        }

        @Override
        public long[] shape() {
            long[] one = experts.get(0).shape();
            for (One e : experts) {
                if (!java.util.Arrays.equals(e.shape(), one)) {
                    throw new ModelFormatException("expert tensors " + name() + " differ in shape: " + java.util.Arrays.toString(one) + " and "
                            + java.util.Arrays.toString(e.shape()) + " (" + e.name() + ")");
                }
            }
            long[] s = new long[one.length + 1];
            s[0] = experts.size();
            System.arraycopy(one, 0, s, 1, one.length);
            return s;
        }

        @Override
        public String type() {
            return experts.get(0).type();
        }

        @Override
        public QuantizedMatrix matrix(int i) {
            return experts.get(i).matrix(0);
        }

        @Override
        public Tensor floats(int i, Arena arena) {
            return experts.get(i).floats(0, arena);
        }
    }
}
