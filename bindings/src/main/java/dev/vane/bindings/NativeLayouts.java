package dev.vane.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** The structs of vane.h as FFM layouts (field names as in C). */
public final class NativeLayouts {
    private NativeLayouts() {}

    /** struct vane_cpu_info { uint32_t features; int32_t active; char reason[160]; } */
    public static final StructLayout CPU_INFO = MemoryLayout.structLayout(
            JAVA_INT.withName("features"),
            JAVA_INT.withName("active"),
            MemoryLayout.sequenceLayout(160, JAVA_BYTE).withName("reason"));
    public static final VarHandle CPU_INFO_FEATURES = field(CPU_INFO, "features");
    public static final VarHandle CPU_INFO_ACTIVE = field(CPU_INFO, "active");
    public static final long CPU_INFO_REASON_OFFSET = CPU_INFO.byteOffset(MemoryLayout.PathElement.groupElement("reason"));

    /** struct vane_format_desc { int32_t format, block_elems, block_bytes, planar, scale_rows, scale_cols, row_group; char name[24]; } */
    public static final StructLayout FORMAT_DESC = MemoryLayout.structLayout(
            JAVA_INT.withName("format"),
            JAVA_INT.withName("block_elems"),
            JAVA_INT.withName("block_bytes"),
            JAVA_INT.withName("planar"),
            JAVA_INT.withName("scale_rows"),
            JAVA_INT.withName("scale_cols"),
            JAVA_INT.withName("row_group"),
            MemoryLayout.sequenceLayout(24, JAVA_BYTE).withName("name"));
    public static final VarHandle FORMAT_DESC_FORMAT = field(FORMAT_DESC, "format");
    public static final VarHandle FORMAT_DESC_BLOCK_ELEMS = field(FORMAT_DESC, "block_elems");
    public static final VarHandle FORMAT_DESC_BLOCK_BYTES = field(FORMAT_DESC, "block_bytes");
    public static final VarHandle FORMAT_DESC_PLANAR = field(FORMAT_DESC, "planar");
    public static final VarHandle FORMAT_DESC_SCALE_ROWS = field(FORMAT_DESC, "scale_rows");
    public static final VarHandle FORMAT_DESC_SCALE_COLS = field(FORMAT_DESC, "scale_cols");
    public static final VarHandle FORMAT_DESC_ROW_GROUP = field(FORMAT_DESC, "row_group");
    public static final long FORMAT_DESC_NAME_OFFSET = FORMAT_DESC.byteOffset(MemoryLayout.PathElement.groupElement("name"));

    /** struct vane_matrix { int32_t format, reserved; const void *data; int64_t bytes; } */
    public static final StructLayout MATRIX = MemoryLayout.structLayout(
            JAVA_INT.withName("format"),
            JAVA_INT.withName("reserved"),
            ADDRESS.withName("data"),
            JAVA_LONG.withName("bytes"));
    public static final VarHandle MATRIX_FORMAT = field(MATRIX, "format");
    public static final VarHandle MATRIX_DATA = field(MATRIX, "data");
    public static final VarHandle MATRIX_BYTES = field(MATRIX, "bytes");

    /**
     * struct vane_ffn { vane_matrix gate, up, down; int32_t activation; float alpha, limit;
     * const float *gate_bias, *up_bias, *down_bias; } (4 bytes of padding before gate_bias)
     */
    public static final StructLayout FFN = MemoryLayout.structLayout(
            MATRIX.withName("gate"), MATRIX.withName("up"), MATRIX.withName("down"),
            JAVA_INT.withName("activation"),
            JAVA_FLOAT.withName("alpha"),
            JAVA_FLOAT.withName("limit"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("gate_bias"),
            ADDRESS.withName("up_bias"),
            ADDRESS.withName("down_bias"));
    public static final VarHandle FFN_ACTIVATION = field(FFN, "activation");
    public static final VarHandle FFN_ALPHA = field(FFN, "alpha");
    public static final VarHandle FFN_LIMIT = field(FFN, "limit");
    public static final VarHandle FFN_GATE_BIAS = field(FFN, "gate_bias");
    public static final VarHandle FFN_UP_BIAS = field(FFN, "up_bias");
    public static final VarHandle FFN_DOWN_BIAS = field(FFN, "down_bias");

    /** struct vane_gating { int32_t kind, k, renormalize; float scale; const float *selection_bias; } */
    public static final StructLayout GATING = MemoryLayout.structLayout(
            JAVA_INT.withName("kind"),
            JAVA_INT.withName("k"),
            JAVA_INT.withName("renormalize"),
            JAVA_FLOAT.withName("scale"),
            ADDRESS.withName("selection_bias"));
    public static final VarHandle GATING_KIND = field(GATING, "kind");
    public static final VarHandle GATING_K = field(GATING, "k");
    public static final VarHandle GATING_RENORMALIZE = field(GATING, "renormalize");
    public static final VarHandle GATING_SCALE = field(GATING, "scale");
    public static final VarHandle GATING_SELECTION_BIAS = field(GATING, "selection_bias");

    /**
     * struct vane_moe_layer { int64_t dim, ffn_dim, n_experts; vane_matrix router;
     * const vane_ffn *experts, *shared; int64_t shared_ffn_dim; vane_gating gating;
     * const float *router_bias, *shared_gate; }
     */
    public static final StructLayout MOE_LAYER = MemoryLayout.structLayout(
            JAVA_LONG.withName("dim"),
            JAVA_LONG.withName("ffn_dim"),
            JAVA_LONG.withName("n_experts"),
            MATRIX.withName("router"),
            ADDRESS.withName("experts"),
            ADDRESS.withName("shared"),
            JAVA_LONG.withName("shared_ffn_dim"),
            GATING.withName("gating"),
            ADDRESS.withName("router_bias"),
            ADDRESS.withName("shared_gate"));
    public static final VarHandle MOE_LAYER_ROUTER_BIAS = field(MOE_LAYER, "router_bias");
    public static final VarHandle MOE_LAYER_SHARED_GATE = field(MOE_LAYER, "shared_gate");
    public static final VarHandle MOE_LAYER_DIM = field(MOE_LAYER, "dim");
    public static final VarHandle MOE_LAYER_FFN_DIM = field(MOE_LAYER, "ffn_dim");
    public static final VarHandle MOE_LAYER_N_EXPERTS = field(MOE_LAYER, "n_experts");
    public static final VarHandle MOE_LAYER_EXPERTS = field(MOE_LAYER, "experts");
    public static final VarHandle MOE_LAYER_SHARED = field(MOE_LAYER, "shared");
    public static final VarHandle MOE_LAYER_SHARED_FFN_DIM = field(MOE_LAYER, "shared_ffn_dim");
    public static final long MOE_LAYER_ROUTER_OFFSET = MOE_LAYER.byteOffset(MemoryLayout.PathElement.groupElement("router"));
    public static final long MOE_LAYER_GATING_OFFSET = MOE_LAYER.byteOffset(MemoryLayout.PathElement.groupElement("gating"));

    /**
     * struct vane_moe_stats { int64_t *tokens_per_expert; double route_seconds, group_seconds,
     * experts_seconds, combine_seconds; }
     */
    public static final StructLayout MOE_STATS = MemoryLayout.structLayout(
            ADDRESS.withName("tokens_per_expert"),
            JAVA_DOUBLE.withName("route_seconds"),
            JAVA_DOUBLE.withName("group_seconds"),
            JAVA_DOUBLE.withName("experts_seconds"),
            JAVA_DOUBLE.withName("combine_seconds"));
    public static final VarHandle MOE_STATS_TOKENS_PER_EXPERT = field(MOE_STATS, "tokens_per_expert");
    public static final VarHandle MOE_STATS_ROUTE_SECONDS = field(MOE_STATS, "route_seconds");
    public static final VarHandle MOE_STATS_GROUP_SECONDS = field(MOE_STATS, "group_seconds");
    public static final VarHandle MOE_STATS_EXPERTS_SECONDS = field(MOE_STATS, "experts_seconds");
    public static final VarHandle MOE_STATS_COMBINE_SECONDS = field(MOE_STATS, "combine_seconds");

    /**
     * struct vane_attention_params { int64_t n_heads, n_kv_heads, head_dim; float scale; int32_t causal;
     * int64_t window; float softcap; const float *sinks; } (4 bytes of padding before sinks; 56 bytes)
     */
    public static final StructLayout ATTENTION_PARAMS = MemoryLayout.structLayout(
            JAVA_LONG.withName("n_heads"),
            JAVA_LONG.withName("n_kv_heads"),
            JAVA_LONG.withName("head_dim"),
            JAVA_FLOAT.withName("scale"),
            JAVA_INT.withName("causal"),
            JAVA_LONG.withName("window"),
            JAVA_FLOAT.withName("softcap"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("sinks"));
    public static final VarHandle ATTENTION_N_HEADS = field(ATTENTION_PARAMS, "n_heads");
    public static final VarHandle ATTENTION_N_KV_HEADS = field(ATTENTION_PARAMS, "n_kv_heads");
    public static final VarHandle ATTENTION_HEAD_DIM = field(ATTENTION_PARAMS, "head_dim");
    public static final VarHandle ATTENTION_SCALE = field(ATTENTION_PARAMS, "scale");
    public static final VarHandle ATTENTION_CAUSAL = field(ATTENTION_PARAMS, "causal");
    public static final VarHandle ATTENTION_WINDOW = field(ATTENTION_PARAMS, "window");
    public static final VarHandle ATTENTION_SOFTCAP = field(ATTENTION_PARAMS, "softcap");
    public static final VarHandle ATTENTION_SINKS = field(ATTENTION_PARAMS, "sinks");

    /**
     * struct vane_rope_params { int64_t n_heads, head_dim, rot_dim; float base, linear_scale;
     * int32_t neox; (4 bytes of padding) const float *freq_factors; float ext_factor, attn_factor,
     * beta_fast, beta_slow; int64_t n_ctx_orig; } (72 bytes, static_assert'ed in rope_api.cpp)
     */
    public static final StructLayout ROPE_PARAMS = MemoryLayout.structLayout(
            JAVA_LONG.withName("n_heads"),
            JAVA_LONG.withName("head_dim"),
            JAVA_LONG.withName("rot_dim"),
            JAVA_FLOAT.withName("base"),
            JAVA_FLOAT.withName("linear_scale"),
            JAVA_INT.withName("neox"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("freq_factors"),
            JAVA_FLOAT.withName("ext_factor"),
            JAVA_FLOAT.withName("attn_factor"),
            JAVA_FLOAT.withName("beta_fast"),
            JAVA_FLOAT.withName("beta_slow"),
            JAVA_LONG.withName("n_ctx_orig"));
    public static final VarHandle ROPE_N_HEADS = field(ROPE_PARAMS, "n_heads");
    public static final VarHandle ROPE_HEAD_DIM = field(ROPE_PARAMS, "head_dim");
    public static final VarHandle ROPE_ROT_DIM = field(ROPE_PARAMS, "rot_dim");
    public static final VarHandle ROPE_BASE = field(ROPE_PARAMS, "base");
    public static final VarHandle ROPE_LINEAR_SCALE = field(ROPE_PARAMS, "linear_scale");
    public static final VarHandle ROPE_NEOX = field(ROPE_PARAMS, "neox");
    public static final VarHandle ROPE_FREQ_FACTORS = field(ROPE_PARAMS, "freq_factors");
    public static final VarHandle ROPE_EXT_FACTOR = field(ROPE_PARAMS, "ext_factor");
    public static final VarHandle ROPE_ATTN_FACTOR = field(ROPE_PARAMS, "attn_factor");
    public static final VarHandle ROPE_BETA_FAST = field(ROPE_PARAMS, "beta_fast");
    public static final VarHandle ROPE_BETA_SLOW = field(ROPE_PARAMS, "beta_slow");
    public static final VarHandle ROPE_N_CTX_ORIG = field(ROPE_PARAMS, "n_ctx_orig");

    /**
     * struct vane_kv_cache { int32_t dtype, reserved; int64_t n_kv_heads, head_dim, block_tokens, n_blocks;
     * void *k, *v; float *k_scales, *v_scales; }
     */
    public static final StructLayout KV_CACHE = MemoryLayout.structLayout(
            JAVA_INT.withName("dtype"),
            JAVA_INT.withName("reserved"),
            JAVA_LONG.withName("n_kv_heads"),
            JAVA_LONG.withName("head_dim"),
            JAVA_LONG.withName("block_tokens"),
            JAVA_LONG.withName("n_blocks"),
            ADDRESS.withName("k"),
            ADDRESS.withName("v"),
            ADDRESS.withName("k_scales"),
            ADDRESS.withName("v_scales"));
    public static final VarHandle KV_CACHE_DTYPE = field(KV_CACHE, "dtype");
    public static final VarHandle KV_CACHE_N_KV_HEADS = field(KV_CACHE, "n_kv_heads");
    public static final VarHandle KV_CACHE_HEAD_DIM = field(KV_CACHE, "head_dim");
    public static final VarHandle KV_CACHE_BLOCK_TOKENS = field(KV_CACHE, "block_tokens");
    public static final VarHandle KV_CACHE_N_BLOCKS = field(KV_CACHE, "n_blocks");
    public static final VarHandle KV_CACHE_K = field(KV_CACHE, "k");
    public static final VarHandle KV_CACHE_V = field(KV_CACHE, "v");
    public static final VarHandle KV_CACHE_K_SCALES = field(KV_CACHE, "k_scales");
    public static final VarHandle KV_CACHE_V_SCALES = field(KV_CACHE, "v_scales");

    /** struct vane_key_rope { const float *table; int64_t positions, rot_dim; int32_t neox; } (4 bytes of padding) */
    public static final StructLayout KEY_ROPE = MemoryLayout.structLayout(
            ADDRESS.withName("table"),
            JAVA_LONG.withName("positions"),
            JAVA_LONG.withName("rot_dim"),
            JAVA_INT.withName("neox"),
            MemoryLayout.paddingLayout(4));
    public static final VarHandle KEY_ROPE_TABLE = field(KEY_ROPE, "table");
    public static final VarHandle KEY_ROPE_POSITIONS = field(KEY_ROPE, "positions");
    public static final VarHandle KEY_ROPE_ROT_DIM = field(KEY_ROPE, "rot_dim");
    public static final VarHandle KEY_ROPE_NEOX = field(KEY_ROPE, "neox");

    /** A field's handle with the base offset bound to 0, so callers write {@code handle.get(segment)}. */
    private static VarHandle field(StructLayout layout, String name) {
        return MethodHandles.insertCoordinates(layout.varHandle(MemoryLayout.PathElement.groupElement(name)), 1, 0L);
    }
}
