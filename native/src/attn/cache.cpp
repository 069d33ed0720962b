// The paged KV cache's writer and block copier (baseline code): keys and values stored as f32,
// f16 (round to nearest even) or FP8 E4M3 with a per-vector scale amax / 448 (code =
// e4m3(x / scale), the fp8_e4m3_row rule; an all-zero vector has scale 0 and codes 0).
#include <string.h>

#include "attn/attn.h"
#include "attn/kv.h"
#include "quant/scalar.h"

namespace vane {

namespace {

// Stores one head_dim vector x at vector index vi of one side (k or v) of the cache.
void store_vector(const vane_kv_cache &c, void *base, float *scales, int64_t vi, const float *x) {
    const int64_t d = c.head_dim;
    if (c.dtype == VANE_KV_F32) {
        memcpy((float *)base + vi * d, x, sizeof(float) * (size_t)d);
    } else if (c.dtype == VANE_KV_F16) {
        uint16_t *out = (uint16_t *)base + vi * d;
        for (int64_t e = 0; e < d; e++) out[e] = f32_to_f16_bits(x[e]);
    } else {
        float amax = 0.0f;
        for (int64_t e = 0; e < d; e++) amax = fabsf(x[e]) > amax ? fabsf(x[e]) : amax;
        const float scale = amax / 448.0f;
        uint8_t *out = (uint8_t *)base + vi * d;
        for (int64_t e = 0; e < d; e++) out[e] = scale > 0.0f ? f32_to_e4m3(x[e] / scale) : 0;
        scales[vi] = scale;
    }
}

}  // namespace

int64_t kv_side_bytes(const vane_kv_cache &c) {
    return c.n_blocks * c.n_kv_heads * c.block_tokens * c.head_dim * kv_elem_bytes(c.dtype);
}

int64_t kv_scale_bytes(const vane_kv_cache &c) {
    return c.dtype == VANE_KV_FP8_E4M3 ? c.n_blocks * c.n_kv_heads * c.block_tokens * 4 : 0;
}

void kv_write_rows(const vane_kv_cache &c, const int32_t *table, int64_t pos0, const float *k, const float *v, int64_t t0, int64_t t1) {
    const int64_t hd = c.n_kv_heads * c.head_dim;
    for (int64_t t = t0; t < t1; t++)
        for (int64_t g = 0; g < c.n_kv_heads; g++) {
            const int64_t vi = kv_vector(c, table, g, pos0 + t);
            store_vector(c, c.k, c.k_scales, vi, k + t * hd + g * c.head_dim);
            store_vector(c, c.v, c.v_scales, vi, v + t * hd + g * c.head_dim);
        }
}

void kv_copy_block(const vane_kv_cache &c, int32_t from, int32_t to) {
    if (from == to) return;
    const int64_t vectors = c.n_kv_heads * c.block_tokens, bytes = vectors * c.head_dim * kv_elem_bytes(c.dtype);
    memcpy((uint8_t *)c.k + to * bytes, (const uint8_t *)c.k + from * bytes, (size_t)bytes);
    memcpy((uint8_t *)c.v + to * bytes, (const uint8_t *)c.v + from * bytes, (size_t)bytes);
    if (c.dtype == VANE_KV_FP8_E4M3) {
        memcpy(c.k_scales + to * vectors, c.k_scales + from * vectors, sizeof(float) * (size_t)vectors);
        memcpy(c.v_scales + to * vectors, c.v_scales + from * vectors, sizeof(float) * (size_t)vectors);
    }
}

}  // namespace vane
