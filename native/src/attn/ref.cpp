// Scalar reference of the attention kernel: each row by itself, keys in order, the online
// softmax in f32 (m, l and o updated per key; e^x by common/exp_poly.h). The AVX2 variant
// computes the same quantities in tiles, in another order (tests hold both to a float64
// reference).
#include <math.h>
#include <string.h>

#include <vector>

#include "attn/attn.h"
#include "common/exp_poly.h"

namespace vane {

namespace {

void rows_ref(const AttnArgs &a, int64_t g, int64_t t0, int64_t t1, int64_t j0, int64_t j1, AttnPartial part) {
    const int64_t d = a.d;
    thread_local std::vector<float> o;
    o.resize((size_t)d);
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
                const float *k = a.k + (j * a.n_kv_heads + g) * d;
                const float *v = a.v + (j * a.n_kv_heads + g) * d;
                float dot = 0.0f;
                for (int64_t c = 0; c < d; c++) dot += q[c] * k[c];
                const float s = dot * a.scale;
                if (s != s) nan = true;  // a NaN or Inf in q or k: the row is NaN
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
                for (int64_t c = 0; c < d; c++) out[c] = l > 0.0f ? o[(size_t)c] / l : l == 0.0f ? 0.0f : NAN;
            }
        }
    }
}

}  // namespace

const AttnKernels attn_kernels_ref = {rows_ref};

}  // namespace vane
