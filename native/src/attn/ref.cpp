// Scalar reference of the attention kernel: each row by itself, keys in order, the online
// softmax in f32 (m, l and o updated per key; e^x by common/exp_poly.h), each score soft-capped
// first when asked, the head's sink joining when the row is normalized. The AVX2 and AVX-512
// variants compute the same quantities in tiles (attn/tiles.h), in another order (tests hold
// them all to a float64 reference).
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <vector>

#include "attn/attn.h"
#include "attn/kv.h"
#include "attn/softcap.h"
#include "attn/tiles.h"
#include "common/exp_poly.h"
#include "quant/scalar.h"

namespace vane {

namespace {

void load_ref(const AttnArgs &a, int64_t g, int64_t j0, int64_t n, float *k, float *v) {
    const int64_t d = a.d;
    for (int64_t j = j0; j < j0 + n; j++, k += d, v += d) {
        if (!a.cache) {
            memcpy(k, a.k + (j * a.n_kv_heads + g) * d, sizeof(float) * (size_t)d);
            memcpy(v, a.v + (j * a.n_kv_heads + g) * d, sizeof(float) * (size_t)d);
        } else {
            const vane_kv_cache &c = *a.cache;
            const int64_t vi = kv_vector(c, a.table, g, j);
            for (int64_t e = 0; e < d; e++) {
                if (c.dtype == VANE_KV_F32) {
                    k[e] = ((const float *)c.k)[vi * d + e];
                    v[e] = ((const float *)c.v)[vi * d + e];
                } else if (c.dtype == VANE_KV_F16) {
                    k[e] = f16_bits_to_f32(((const uint16_t *)c.k)[vi * d + e]);
                    v[e] = f16_bits_to_f32(((const uint16_t *)c.v)[vi * d + e]);
                } else {
                    k[e] = e4m3_to_f32(((const uint8_t *)c.k)[vi * d + e]) * c.k_scales[vi];
                    v[e] = e4m3_to_f32(((const uint8_t *)c.v)[vi * d + e]) * c.v_scales[vi];
                }
            }
        }
        if (a.rope) rope_key(*a.rope, j, k);
    }
}

void rows_ref(const AttnArgs &a, int64_t g, int64_t t0, int64_t t1, int64_t j0, int64_t j1, AttnPartial part) {
    const int64_t d = a.d;
    thread_local std::vector<float> o, kv;
    o.resize((size_t)d);
    kv.resize((size_t)(2 * d));
    for (int64_t i = t0; i < t1; i++) {
        int64_t lo, hi;
        attn_key_range(a, i, &lo, &hi);
        lo = lo > j0 ? lo : j0;
        hi = hi < j1 ? hi : j1;
        for (int64_t hh = 0; hh < a.group; hh++) {
            const int64_t h = g * a.group + hh;
            const float *q = a.q + (i * a.n_heads + h) * d;
            float m = -INFINITY, l = 0.0f;
            bool nan = false;
            memset(o.data(), 0, sizeof(float) * (size_t)d);
            for (int64_t j = lo; j < hi; j++) {
                load_ref(a, g, j, 1, kv.data(), kv.data() + d);
                const float *k = kv.data(), *v = kv.data() + d;
                float dot = 0.0f;
                for (int64_t c = 0; c < d; c++) dot += q[c] * k[c];
                float s = dot * a.scale;
                if (s - s != 0.0f) nan = true;  // a NaN or infinite score (NaN/Inf in q or k, or overflow): the row is NaN, capped or not
                if (a.softcap > 0.0f) s = a.softcap * softcap_tanh(s);
                const float m_new = s > m ? s : m;
                const float corr = exp_poly_or_zero(m - m_new), p = exp_poly_or_zero(s - m_new);
                l = l * corr + p;
                for (int64_t c = 0; c < d; c++) o[(size_t)c] = o[(size_t)c] * corr + p * v[c];
                m = m_new;
            }
            const int64_t r = (i - t0) * a.group + hh;
            if (nan) m = l = NAN;
            if (part.m) {
                part.m[r] = m;
                part.l[r] = l;
                memcpy(part.o + r * d, o.data(), sizeof(float) * (size_t)d);
            } else {
                float *out = attn_out_row(a, i, h);
                if (a.sinks && !nan) {
                    float c;
                    attn_add_sink(a, h, &m, &l, &c);
                    for (int64_t e = 0; e < d; e++) out[e] = (o[(size_t)e] * c) / l;
                } else {
                    for (int64_t c = 0; c < d; c++) out[c] = l > 0.0f ? o[(size_t)c] / l : l == 0.0f ? 0.0f : NAN;
                }
            }
        }
    }
}

}  // namespace

const AttnKernels attn_kernels_ref = {load_ref, rows_ref};

// The SIMD kernels' per-thread buffer (attn/tiles.h), baseline code that both units share.
namespace {
struct TileBuffer {
    float *p = nullptr;
    int64_t cap = 0;
    ~TileBuffer() { free(p); }
};
}  // namespace

float *attn_tile_buffer(int64_t floats) {
    static thread_local TileBuffer b;
    if (floats > b.cap) {
        free(b.p);
        b.cap = (floats + 1023) / 1024 * 1024;
        b.p = (float *)aligned_alloc(64, (size_t)b.cap * 4);
        if (!b.p) b.cap = 0;
    }
    return b.p;
}

const Variants<AttnKernels> attn_variants = {{&attn_kernels_ref, &attn_kernels_avx2, &attn_kernels_avx512}};

}  // namespace vane
