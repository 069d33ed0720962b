// A paged KV cache described by a fuzz input, for the harnesses of the cache entry points
// (fuzz_kv.cpp, fuzz_attention.cpp). Fields: dtype, n_kv_heads, head_dim, block_tokens,
// n_blocks. vane_kv_cache_bytes is the oracle for whether the description is valid: a shape it
// refuses must be refused by every entry point that takes the cache; one it accepts gets
// storage of exactly the bytes it says (filled from the payload), when that is affordable.
#pragma once
#include <memory>

#include "fuzz_input.h"

namespace fuzz {

struct FuzzCache {
    vane_kv_cache c{};
    bool valid = false;   // vane_kv_cache_bytes accepts the shape
    bool usable = false;  // valid, and storage of its size is allocated
    std::unique_ptr<Buf<uint8_t>> k, v;
    std::unique_ptr<Buf<float>> k_scales, v_scales;
    Buf<float> dummy{1};  // storage for a shape that must be refused (never written)

    void read(Input &in) {
        c.dtype = int32_t(in.u8() % 5) - 1;  // -1 and 3: unknown dtypes
        c.n_kv_heads = in.size(8);
        c.head_dim = in.size(64);
        c.block_tokens = in.size(32);
        c.n_blocks = in.size(64);
        c.k = c.v = dummy.get();
        c.k_scales = c.v_scales = dummy.get();
        int64_t kv_bytes = 0, scale_bytes = 0;
        valid = vane_kv_cache_bytes(&c, &kv_bytes, &scale_bytes) == VANE_OK;
        if (!valid || !affordable(kv_bytes, 1) || !affordable(scale_bytes, 4)) return;
        const int64_t elems = c.n_blocks * c.n_kv_heads * c.block_tokens * c.head_dim;
        const int64_t elem_bytes = c.dtype == VANE_KV_F32 ? 4 : c.dtype == VANE_KV_F16 ? 2 : 1;
        if (kv_bytes != elems * elem_bytes || scale_bytes != (c.dtype == VANE_KV_FP8_E4M3 ? elems / c.head_dim * 4 : 0))
            contract("vane_kv_cache_bytes disagrees with the layout vane.h gives", VANE_OK);
        k.reset(new Buf<uint8_t>(kv_bytes));
        v.reset(new Buf<uint8_t>(kv_bytes));
        c.k = k->get();
        c.v = v->get();
        c.k_scales = c.v_scales = nullptr;
        if (c.dtype == VANE_KV_FP8_E4M3) {
            k_scales.reset(new Buf<float>(scale_bytes / 4));
            v_scales.reset(new Buf<float>(scale_bytes / 4));
            c.k_scales = k_scales->get();
            c.v_scales = v_scales->get();
        }
        usable = true;
    }

    // Fills the storage from the payload (keys and values as whatever bits it holds).
    void fill(const uint8_t *data, size_t bytes) {
        if (!usable) return;
        k->fill(data, bytes);
        v->fill(data, bytes);
        if (k_scales) {
            k_scales->fill(data, bytes);
            v_scales->fill(data, bytes);
        }
    }

    // Whether table entries for positions [begin, end) all name blocks of the pool (the table
    // covering them).
    bool entries_in_pool(const int32_t *table, int64_t begin, int64_t end) const {
        for (int64_t b = begin / c.block_tokens; b < (end + c.block_tokens - 1) / c.block_tokens; b++)
            if (table[b] < 0 || table[b] >= c.n_blocks) return false;
        return true;
    }
};

}  // namespace fuzz
