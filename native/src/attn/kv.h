// The paged KV cache's addressing (vane.h, vane_kv_cache) and the rotation of a key by its cache
// position, shared by the cache writer (cache.cpp) and every variant's key loader. Everything is
// static inline (the header is compiled with AVX2 flags too; see quant/scalar.h).
#pragma once
#include <stdint.h>

#include "vane.h"

namespace vane {

// Bytes per stored element of a cache dtype.
static inline __attribute__((always_inline)) int64_t kv_elem_bytes(int32_t dtype) {
    return dtype == VANE_KV_F32 ? 4 : dtype == VANE_KV_F16 ? 2 : 1;
}

// Index of the (head g, cache position pos) vector among the cache's vectors: times head_dim
// for its elements, as is for its FP8 scale.
static inline __attribute__((always_inline)) int64_t kv_vector(const vane_kv_cache &c, const int32_t *table, int64_t g, int64_t pos) {
    const int64_t b = table[pos / c.block_tokens], s = pos % c.block_tokens;
    return (b * c.n_kv_heads + g) * c.block_tokens + s;
}

// Rotates key k (head_dim floats) by cache position pos with the table's cos and sin.
static inline __attribute__((always_inline)) void rope_key(const vane_key_rope &r, int64_t pos, float *k) {
    const int64_t half = r.rot_dim / 2;
    const float *cs = r.table + pos * half * 2;
    for (int64_t i = 0; i < half; i++) {
        const int64_t ia = r.neox ? i : 2 * i, ib = r.neox ? i + half : 2 * i + 1;
        const float a = k[ia], b = k[ib], c = cs[2 * i], s = cs[2 * i + 1];
        k[ia] = a * c - b * s;
        k[ib] = a * s + b * c;
    }
}

}  // namespace vane
