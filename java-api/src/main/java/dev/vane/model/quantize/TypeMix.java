package dev.vane.model.quantize;

import static dev.vane.model.gguf.GgmlType.F16;
import static dev.vane.model.gguf.GgmlType.IQ4_NL;
import static dev.vane.model.gguf.GgmlType.MXFP4;
import static dev.vane.model.gguf.GgmlType.Q3_K;
import static dev.vane.model.gguf.GgmlType.Q4_0;
import static dev.vane.model.gguf.GgmlType.Q4_K;
import static dev.vane.model.gguf.GgmlType.Q5_0;
import static dev.vane.model.gguf.GgmlType.Q5_1;
import static dev.vane.model.gguf.GgmlType.Q5_K;
import static dev.vane.model.gguf.GgmlType.Q6_K;
import static dev.vane.model.gguf.GgmlType.Q8_0;

import dev.vane.model.ModelConfig;
import dev.vane.model.gguf.GgmlType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tensor types llama.cpp's quantizer (llama-quantize without an importance matrix) gives the
 * tensors of a Llama-family model, dense or Mixtral-style, for a {@link FileType}. A tensor's type
 * depends on its kind, its layer, the model's shape and, for attn_v and (dense) ffn_down, on how
 * many tensors of its kind come before it in llama.cpp's {@link #ORDER}; so a whole tensor list is
 * decided at once.
 */
public final class TypeMix {
    private TypeMix() {}

    /** The model facts the mix depends on. */
    public record Model(int layers, int experts, int heads, int kvHeads) {
        public Model {
            if (layers <= 0 || experts < 0 || heads <= 0 || kvHeads < 0) {
                throw new IllegalArgumentException("model: layers and heads must be positive, experts and KV heads >= 0; got layers "
                        + layers + ", experts " + experts + ", heads " + heads + "/" + kvHeads);
            }
        }

        public static Model of(ModelConfig c) {
            return new Model(c.layers(), c.experts(), c.heads(), c.kvHeads());
        }

        /** Query heads per KV head (0 without KV heads). */
        public int gqa() {
            return kvHeads == 0 ? 0 : heads / kvHeads;
        }

        /** llama.cpp's 70B size class of a llama model: 80 layers, grouped KV heads, not 8 experts. */
        public boolean is70B() {
            return experts != 8 && layers == 80 && heads != kvHeads;
        }
    }

    /** A tensor as the mix sees it: name, GGUF shape (ne[0] is the row length) and current type. */
    public record Tensor(String name, long[] ne, GgmlType type) {
        public Tensor {
            if (name == null || ne == null || ne.length == 0 || type == null) {
                throw new IllegalArgumentException("tensor needs a name, a shape and a type");
            }
            ne = ne.clone();
        }

        @Override
        public long[] ne() {
            return ne.clone();
        }

        /** ne[i], 1 past the stored dimensions. */
        public long dim(int i) {
            return i < ne.length ? ne[i] : 1;
        }

        /** Dimensions up to the last one above 1 (at least 1), as ggml counts them. */
        public int dims() {
            int n = ne.length;
            while (n > 1 && ne[n - 1] == 1) n--;
            return n;
        }

        @Override
        public String toString() {
            return name + " " + type + " ne=" + Arrays.toString(ne);
        }
    }

    /**
     * llama.cpp's tensor order, the one it decides types in and writes: tensors outside the
     * blocks first, then by block number ({@code blk.N.}), ties by name bytes.
     */
    public static final Comparator<String> ORDER = Comparator.<String>comparingInt(TypeMix::layerOf)
            .thenComparing((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));

    /**
     * Each tensor's new type, in {@link #ORDER}. Tensors that are not quantized keep their type.
     *
     * @throws IllegalArgumentException for duplicate names, for an expert model's FFN tensor
     *     without a valid {@code blk.N.} layer, or for a row length no type llama.cpp falls back
     *     to fits (see {@link #fitRow})
     */
    public static Map<String, GgmlType> types(FileType fileType, Model model, List<Tensor> tensors) {
        List<Tensor> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparing(Tensor::name, ORDER));
        Set<String> seen = new HashSet<>();
        for (Tensor t : sorted) {
            if (!seen.add(t.name())) throw new IllegalArgumentException("tensor '" + t.name() + "' appears twice");
        }
        Pass pass = new Pass(fileType, model, sorted);
        Map<String, GgmlType> out = new LinkedHashMap<>();
        for (Tensor t : sorted) out.put(t.name(), pass.decide(t));
        return out;
    }

    /**
     * Whether llama.cpp quantizes this tensor at all: a weight of 2 or more dimensions, except
     * norms, MoE router weights (ffn_gate_inp) and the small or positional tensors it lists.
     */
    public static boolean quantizable(Tensor t) {
        String n = t.name();
        if (t.dims() < 2 || !n.endsWith("weight")) return false;
        if (n.equals("position_embd.weight") || n.equals("token_types.weight")) return false;
        for (String part : KEPT) if (n.contains(part)) return false;
        return true;
    }

    /** Name parts of weights llama.cpp keeps as they are. */
    private static final List<String> KEPT = List.of("_norm.weight", "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup",
            "laurel", "per_layer_model_proj", "ssm_conv1d", "shortconv.conv.weight", "indexer.k_proj.weight", "indexer.q_proj.weight",
            "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight", "time_mix_v0.weight",
            "time_mix_v1.weight", "time_mix_v2.weight", "time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight",
            "time_mix_g1.weight", "time_mix_g2.weight", "time_mix_decay_w1.weight", "time_mix_decay_w2.weight",
            "time_mix_lerp_fused.weight", "attn_rel_b.weight", ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_", ".rel_pos",
            ".patch_embd", ".patch_merger", "a.rvq.codebook", "mm.a.code_embd");

    /**
     * The type a row of {@code rowLength} elements gets when {@code target} is chosen: the target
     * if its block divides the row, else llama.cpp's fallback (256-element types to a 32-element
     * one: IQ* to IQ4_NL, Q2_K/Q3_K/TQ* to Q4_0, Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0), else F16.
     *
     * @throws IllegalArgumentException where llama.cpp has no fallback (a 32-element type such as
     *     Q4_0, Q8_0 or MXFP4 whose block does not divide the row)
     */
    public static GgmlType fitRow(GgmlType target, long rowLength) {
        if (rowLength % target.blockElements() == 0) return target;
        GgmlType fallback = switch (target) {
            case IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ4_XS -> IQ4_NL;
            case Q2_K, Q3_K, TQ1_0, TQ2_0 -> Q4_0;
            case Q4_K -> Q5_0;
            case Q5_K -> Q5_1;
            case Q6_K -> Q8_0;
            default -> throw new IllegalArgumentException("a row of " + rowLength + " elements does not fit " + target + "'s blocks of "
                    + target.blockElements() + " and llama.cpp has no type to fall back to");
        };
        return rowLength % fallback.blockElements() == 0 ? fallback : F16;
    }

    /** The tensor kinds the rules tell apart; attn_v stands for the fused attn_qkv and attn_kv_b too. */
    private enum Kind { TOKEN_EMBD, OUTPUT, ATTN_V, ATTN_K, ATTN_Q, ATTN_OUTPUT, FFN_UP, FFN_GATE, FFN_DOWN, OTHER }

    private static Kind kindOf(String n) {
        if (n.equals("output.weight")) return Kind.OUTPUT;
        if (n.equals("token_embd.weight") || n.equals("per_layer_token_embd.weight")) return Kind.TOKEN_EMBD;
        if (n.contains("attn_qkv.weight") || n.contains("attn_kv_b.weight") || n.contains("attn_v.weight")) return Kind.ATTN_V;
        if (n.contains("attn_k.weight")) return Kind.ATTN_K;
        if (n.contains("attn_q.weight")) return Kind.ATTN_Q;
        if (n.contains("attn_output.weight")) return Kind.ATTN_OUTPUT;
        if (n.contains("ffn_up")) return Kind.FFN_UP;
        if (n.contains("ffn_gate")) return Kind.FFN_GATE;
        if (n.contains("ffn_down")) return Kind.FFN_DOWN;
        return Kind.OTHER;
    }

    /** N of a name starting {@code blk.N.}, else -1. */
    private static int layerOf(String n) {
        if (!n.startsWith("blk.")) return -1;
        int i = 4;
        long v = 0;
        while (i < n.length() && n.charAt(i) >= '0' && n.charAt(i) <= '9' && v <= Integer.MAX_VALUE) v = v * 10 + (n.charAt(i++) - '0');
        return i == 4 || v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    /**
     * The more-bits layers of the _M mixes: the first and last eighth of the layers and every
     * third layer between.
     */
    private static boolean moreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }

    /** File types whose attn_output gets Q5_K in an 8-expert model. */
    private static final Set<FileType> EXPERT_ATTN_OUTPUT_Q5_K = EnumSet.of(FileType.Q2_K, FileType.Q3_K_S, FileType.Q3_K_M,
            FileType.IQ4_NL, FileType.Q4_K_S, FileType.Q4_K_M, FileType.IQ4_XS);

    /** One decision over a sorted tensor list: the running counts some rules depend on. */
    private static final class Pass {
        private final FileType ft;
        private final Model model;
        private final GgmlType base;
        private final boolean tied;  // no output.weight: token_embd is the output too
        private final int attnVCount;
        private int attnV, ffnDown;

        Pass(FileType ft, Model model, List<Tensor> sorted) {
            this.ft = ft;
            this.model = model;
            this.base = ft.defaultType();
            this.tied = sorted.stream().noneMatch(t -> kindOf(t.name()) == Kind.OUTPUT);
            this.attnVCount = (int) sorted.stream().filter(t -> kindOf(t.name()) == Kind.ATTN_V).count();
        }

        GgmlType decide(Tensor t) {
            if (!quantizable(t)) return t.type();
            if (!ft.quantized()) return base;
            return fitRow(choose(t, kindOf(t.name())), t.dim(0));
        }

        private GgmlType choose(Tensor t, Kind kind) {
            if (kind == Kind.OUTPUT || (tied && kind == Kind.TOKEN_EMBD)) return output(t);
            if (ft == FileType.MXFP4_MOE) return t.dim(2) > 1 ? MXFP4 : Q8_0;
            return switch (kind) {
                case ATTN_V -> attnV();
                case ATTN_K -> model.experts() == 8 ? Q8_0 : base;
                case ATTN_OUTPUT -> attnOutput();
                case FFN_DOWN -> ffnDown(layer(t, ffnDown++));
                case FFN_GATE, FFN_UP -> {
                    layer(t, 0);  // checked as for ffn_down; no mix here changes them
                    yield base;
                }
                default -> base;  // token_embd of an untied model, attn_q, others
            };
        }

        /** output.weight (and a tied token_embd): Q6_K, or Q8_0 where that is the mix or blocks do not fit. */
        private GgmlType output(Tensor t) {
            if (ft == FileType.MXFP4_MOE || t.dim(0) % base.blockElements() != 0) return Q8_0;
            return base == Q8_0 ? Q8_0 : Q6_K;
        }

        private GgmlType attnV() {
            int i = attnV++;
            int gqa = model.gqa();
            GgmlType type = switch (ft) {
                case Q2_K -> gqa >= 4 ? Q4_K : Q3_K;
                case Q3_K_M -> i < 2 ? Q5_K : Q4_K;
                case Q3_K_L -> Q5_K;
                case IQ4_NL, IQ4_XS -> gqa >= 4 ? Q5_K : base;
                case Q4_K_M, Q5_K_M -> moreBits(i, attnVCount) ? Q6_K : base;
                case Q4_K_S -> i < 4 ? Q5_K : base;
                default -> base;
            };
            // 70B shares attn_v across 8 query heads: more bits cost little there.
            if (model.is70B() && (type == Q3_K || type == Q4_K)) type = Q5_K;
            if (model.experts() == 8) type = Q8_0;
            return type;
        }

        private GgmlType attnOutput() {
            if (model.experts() == 8) return EXPERT_ATTN_OUTPUT_Q5_K.contains(ft) ? Q5_K : base;
            return switch (ft) {
                case Q2_K -> Q3_K;
                case Q3_K_M -> Q4_K;
                case Q3_K_L -> Q5_K;
                default -> base;
            };
        }

        private GgmlType ffnDown(int i) {
            int n = model.layers();
            return switch (ft) {
                case Q2_K -> Q3_K;
                case Q3_K_M -> i < n / 16 ? Q5_K : Q4_K;
                case Q3_K_L -> Q5_K;
                case Q4_K_M, Q5_K_M -> moreBits(i, n) ? Q6_K : base;
                case IQ4_NL, IQ4_XS, Q4_K_S -> i < n / 8 ? Q5_K : base;
                default -> base;
            };
        }

        /**
         * The layer of an FFN tensor: in an expert model the N of its {@code blk.N.} name (split
         * experts make counting wrong), else its position among tensors of its kind.
         */
        private int layer(Tensor t, int position) {
            if (model.experts() <= 1) return position;
            int l = layerOf(t.name());
            if (l < 0 || l >= model.layers()) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' of an expert model needs a layer blk.N. with N in [0, "
                        + model.layers() + ")");
            }
            return l;
        }
    }
}
