// Tests of attention's logit soft-capping and learned sinks, per variant: vane_attention against
// a float64 softmax(cap(q k^T * scale) + mask) v with the sink in the denominator, on seeded
// inputs of odd sizes (head_dim 1..128, odd token counts, grouped-query and multi-query, causal,
// windowed and cross), each feature alone and together, outputs poisoned first; the baseline and
// SIMD results against each other; the split-key decode (sink counted once at the merge) against
// the unsplit one; the paged cache with released (-1) table entries outside the window, per
// storage type; soft-capping's tanh against libm (its AVX2 and AVX-512 forms bit for bit); argument errors; and agreement with llama.cpp's
// own ggml_flash_attn_ext (logit_softcap, ggml_flash_attn_ext_add_sinks) on small graphs.
//
// Tolerance per output: 1e-4 * (1 + sum p |v|), as test_attention.cpp argues: capping only damps
// a score's error (d/ds of softcap * tanh(s / softcap) is at most 1) and adds its own tanh
// rounding, about 2 ulp of softcap (1e-5 at softcap 50); a sink only shrinks every weight.
#include <vector>

#include "attn/softcap.h"
#include "check.h"
#include "ggml_peer.h"
#include "vane.h"

void test_softcap_tanh8(const float *x, float *y, long n);   // attn_softcap_avx2.cpp
void test_softcap_tanh16(const float *x, float *y, long n);  // attn_softcap_avx512.cpp

namespace {

struct Case {
    int64_t heads, kv_heads, d, n_q, n_kv;
    bool causal;
    int64_t window;
    float scale_mul;  // scale = scale_mul / sqrt(d)
    float softcap;
    int sinks;  // 0: none; 1: N(0, 1) per head; 2: large (+8, so the sink dominates some rows)
};

std::vector<float> random_vec(int64_t n, Rng &rng, double sd = 1.0) {
    std::vector<float> x((size_t)n);
    for (float &v : x) v = (float)(rng.normal() * sd);
    return x;
}

struct Inputs {
    std::vector<float> q, k, v, sinks;
    float scale;
};

Inputs make_inputs(const Case &c, Rng &rng) {
    Inputs in;
    in.q = random_vec(c.n_q * c.heads * c.d, rng);
    in.k = random_vec(c.n_kv * c.kv_heads * c.d, rng);
    in.v = random_vec(c.n_kv * c.kv_heads * c.d, rng);
    if (c.sinks == 1) in.sinks = random_vec(c.heads, rng);
    if (c.sinks == 2)
        for (int64_t h = 0; h < c.heads; h++) in.sinks.push_back(8.0f - (float)h);
    in.scale = c.scale_mul / sqrtf((float)c.d);
    return in;
}

vane_attention_params params_of(const Case &c, const Inputs &in) {
    return vane_attention_params{c.heads, c.kv_heads, c.d, in.scale, c.causal ? 1 : 0, c.window, c.softcap,
                                 in.sinks.empty() ? nullptr : in.sinks.data()};
}

// The keys query token i may see, [lo, hi).
void key_range(const Case &c, int64_t i, int64_t *lo, int64_t *hi) {
    *lo = 0;
    *hi = c.n_kv;
    if (!c.causal) return;
    const int64_t pos = c.n_kv - c.n_q + i;
    *hi = pos + 1;
    if (c.window > 0 && pos - c.window + 1 > 0) *lo = pos - c.window + 1;
}

// The float64 reference for query token i, head h; also sum p |v| per component into mag.
void reference(const Case &c, const Inputs &in, int64_t i, int64_t h, std::vector<double> &out, std::vector<double> &mag) {
    const int64_t d = c.d, g = h / (c.heads / c.kv_heads);
    int64_t lo, hi;
    key_range(c, i, &lo, &hi);
    std::vector<double> s((size_t)c.n_kv);
    double mx = in.sinks.empty() ? -INFINITY : in.sinks[(size_t)h];
    for (int64_t j = lo; j < hi; j++) {
        double dot = 0;
        for (int64_t e = 0; e < d; e++) dot += (double)in.q[(size_t)((i * c.heads + h) * d + e)] * in.k[(size_t)((j * c.kv_heads + g) * d + e)];
        double x = dot * in.scale;
        if (c.softcap > 0) x = c.softcap * tanh(x / c.softcap);
        s[(size_t)j] = x;
        mx = x > mx ? x : mx;
    }
    double l = in.sinks.empty() ? 0.0 : exp(in.sinks[(size_t)h] - mx);
    for (int64_t j = lo; j < hi; j++) l += exp(s[(size_t)j] - mx);
    out.assign((size_t)d, 0.0);
    mag.assign((size_t)d, 0.0);
    for (int64_t j = lo; j < hi; j++) {
        const double p = exp(s[(size_t)j] - mx) / l;
        for (int64_t e = 0; e < d; e++) {
            const double vv = in.v[(size_t)((j * c.kv_heads + g) * d + e)];
            out[(size_t)e] += p * vv;
            mag[(size_t)e] += p * fabs(vv);
        }
    }
}

std::vector<float> run(const Case &c, const Inputs &in) {
    const vane_attention_params p = params_of(c, in);
    std::vector<float> out((size_t)(c.n_q * c.heads * c.d + 1), NAN);  // poisoned, one past the end
    CHECK(vane_attention(&p, in.q.data(), c.n_q, in.k.data(), in.v.data(), c.n_kv, out.data()) == VANE_OK, "%s", vane_last_error());
    CHECK(isnan(out.back()), "wrote past out");
    out.pop_back();
    return out;
}

// Outputs off the float64 reference by more than the tolerance (the first 3 reported).
int compare_to_reference(const Case &c, const Inputs &in, const std::vector<float> &out, const char *what) {
    std::vector<double> want, mag;
    int bad = 0;
    for (int64_t i = 0; i < c.n_q; i++)
        for (int64_t h = 0; h < c.heads; h++) {
            reference(c, in, i, h, want, mag);
            for (int64_t e = 0; e < c.d; e++) {
                const float got = out[(size_t)((i * c.heads + h) * c.d + e)];
                if (!(fabs(got - want[(size_t)e]) <= 1e-4 * (1.0 + mag[(size_t)e])) && bad++ < 3)
                    CHECK(false, "%s: heads %lld/%lld d %lld n_q %lld n_kv %lld causal %d window %lld scale x%g softcap %g sinks %d: out[%lld, %lld, %lld] = %.7g, reference %.7g",
                          what, (long long)c.heads, (long long)c.kv_heads, (long long)c.d, (long long)c.n_q, (long long)c.n_kv, c.causal,
                          (long long)c.window, (double)c.scale_mul, (double)c.softcap, c.sinks, (long long)i, (long long)h, (long long)e, got,
                          want[(size_t)e]);
            }
        }
    return bad;
}

// Each case under every variant against the reference, and the variants against each other.
void test_cases(const std::vector<int32_t> &isas, Rng &rng) {
    std::vector<Case> cases;
    for (float softcap : {0.0f, 5.0f, 50.0f})
        for (int sinks : {0, 1, 2}) {
            if (softcap == 0.0f && sinks == 0) continue;  // plain attention: test_attention.cpp
            const float mul = softcap == 5.0f ? 4.0f : 1.0f;  // scores of sd ~4 saturate a cap of 5
            cases.push_back({4, 4, 1, 3, 5, true, 0, mul, softcap, sinks});       // head_dim 1
            cases.push_back({6, 2, 3, 7, 11, true, 0, mul, softcap, sinks});      // head_dim 3, GQA 3
            cases.push_back({3, 1, 12, 5, 9, false, 0, mul, softcap, sinks});     // not a multiple of 8 (AVX2 falls back), cross
            cases.push_back({8, 2, 40, 19, 19, true, 0, mul, softcap, sinks});    // AVX2: 40 = 16 + 16 + 8 (AVX-512 takes AVX2's kernels)
            cases.push_back({4, 2, 48, 9, 40, true, 0, mul, softcap, sinks});     // AVX-512: 3 vectors
            cases.push_back({8, 8, 64, 33, 101, true, 0, mul, softcap, sinks});   // chunked prefill, several key tiles
            cases.push_back({8, 1, 64, 71, 71, true, 29, mul, softcap, sinks});   // window, multi-query
            cases.push_back({4, 2, 128, 1, 203, true, 64, mul, softcap, sinks});  // decode, window
            cases.push_back({4, 2, 80, 13, 37, false, 0, mul, softcap, sinks});   // cross
        }
    for (const Case &c : cases) {
        const Inputs in = make_inputs(c, rng);
        std::vector<std::vector<float>> outs;
        for (int32_t isa : isas) {
            CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
            outs.push_back(run(c, in));
            CHECK(compare_to_reference(c, in, outs.back(), vane::isa_name(isa)) == 0, "outputs off");
        }
        // The variants agree with the baseline more closely than with the reference's tolerance.
        for (size_t v = 1; v < outs.size(); v++)
            for (size_t e = 0; e < outs[0].size(); e++)
                if (!(fabsf(outs[0][e] - outs[v][e]) <= 2e-5f * (1.0f + fabsf(outs[0][e])))) {
                    CHECK(false, "d %lld n_q %lld softcap %g sinks %d: baseline %.7g vs %s %.7g at %zu", (long long)c.d, (long long)c.n_q,
                          (double)c.softcap, c.sinks, outs[0][e], vane::isa_name(isas[v]), outs[v][e], e);
                    break;
                }
    }
}

// One query over a long sequence: the split-key path (2 KV heads on 4 threads: 2 tasks, each
// split in 4) and the one-piece path (1 thread: 2 tasks are enough) against each other and the
// reference, with the sink and the cap.
void test_split(const std::vector<int32_t> &isas, Rng &rng) {
    for (int64_t window : {int64_t(0), int64_t(700)}) {
        const Case c{8, 2, 64, 1, 3001, true, window, 2.0f, 20.0f, 1};
        Inputs in = make_inputs(c, rng);
        for (int64_t h = 0; h < c.heads; h++) in.sinks[(size_t)h] += 3.0f;  // the sink weighs on every row
        for (int32_t isa : isas) {
            CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
            vane_set_threads(4);
            const std::vector<float> split = run(c, in);
            vane_set_threads(1);
            const std::vector<float> whole = run(c, in);
            vane_set_threads(2);
            CHECK(compare_to_reference(c, in, split, "split") == 0, "isa %d window %lld: split outputs off", isa, (long long)window);
            CHECK(compare_to_reference(c, in, whole, "whole") == 0, "isa %d window %lld: whole outputs off", isa, (long long)window);
            for (size_t e = 0; e < whole.size(); e++)
                if (!(fabsf(split[e] - whole[e]) <= 1e-5f * (1.0f + fabsf(whole[e])))) {
                    CHECK(false, "isa %d window %lld: split %.7g vs whole %.7g at %zu", isa, (long long)window, split[e], whole[e], e);
                    break;
                }
        }
    }
}

// Paged caches whose table marks the blocks before the window released (-1): attention over
// them (decode and a chunk of queries) equals vane_attention over the values the cache holds,
// per storage type (F16 and FP8 read straight from the cache by the AVX2 kernel, the FP8 scales
// folded with the capped score's scale); writes past released entries work; a released entry a
// query would see is refused.
void test_released_blocks(const std::vector<int32_t> &isas, Rng &rng) {
    const int64_t kvh = 2, heads = 8, d = 64, bt = 16, n = 300, window = 50, nblocks = 8;
    const Case c{heads, kvh, d, 5, n, true, window, 2.0f, 30.0f, 1};
    const Inputs in = make_inputs(c, rng);
    for (int32_t dtype : {VANE_KV_F32, VANE_KV_F16, VANE_KV_FP8_E4M3}) {
        vane_kv_cache cache{dtype, 0, kvh, d, bt, nblocks, nullptr, nullptr, nullptr, nullptr};
        int64_t kv_bytes = 0, scale_bytes = 0;
        CHECK(vane_kv_cache_bytes(&cache, &kv_bytes, &scale_bytes) == VANE_OK, "%s", vane_last_error());
        std::vector<uint8_t> kmem((size_t)kv_bytes), vmem((size_t)kv_bytes);
        std::vector<float> ks((size_t)scale_bytes / 4 + 1), vs((size_t)scale_bytes / 4 + 1);
        cache.k = kmem.data();
        cache.v = vmem.data();
        cache.k_scales = dtype == VANE_KV_FP8_E4M3 ? ks.data() : nullptr;
        cache.v_scales = dtype == VANE_KV_FP8_E4M3 ? vs.data() : nullptr;
        // Blocks are reused as the window moves: the table only ever names the last few.
        const int64_t nb = (n + bt - 1) / bt;
        std::vector<int32_t> table((size_t)nb, VANE_KV_RELEASED);
        for (int64_t pos = 0; pos < n;) {
            const int64_t b = pos / bt, piece = (pos + 7 < n ? 7 : n - pos);
            for (int64_t bb = 0; bb + 4 < b; bb++) table[(size_t)bb] = VANE_KV_RELEASED;  // gone: older than the window
            for (int64_t bb = b; bb <= (pos + piece - 1) / bt; bb++)
                if (table[(size_t)bb] < 0) table[(size_t)bb] = (int32_t)((bb * 5) % nblocks);  // 8 consecutive blocks differ
            CHECK(vane_kv_write(&cache, table.data(), nb, pos, &in.k[(size_t)(pos * kvh * d)], &in.v[(size_t)(pos * kvh * d)], piece) == VANE_OK,
                  "dtype %d pos %lld: %s", dtype, (long long)pos, vane_last_error());
            pos += piece;
        }
        // What the cache holds for the positions still in it, decoded here (0 elsewhere: never seen).
        std::vector<float> kd((size_t)(n * kvh * d), 0.0f), vd((size_t)(n * kvh * d), 0.0f);
        for (int64_t t = 0; t < n; t++) {
            if (table[(size_t)(t / bt)] < 0) continue;
            for (int64_t g = 0; g < kvh; g++) {
                const int64_t vi = (table[(size_t)(t / bt)] * kvh + g) * bt + t % bt;
                for (int64_t e = 0; e < d; e++) {
                    const size_t at = (size_t)((t * kvh + g) * d + e);
                    if (dtype == VANE_KV_F32) {
                        kd[at] = ((float *)cache.k)[vi * d + e];
                        vd[at] = ((float *)cache.v)[vi * d + e];
                    } else if (dtype == VANE_KV_F16) {
                        vane_quant_dequantize(VANE_FORMAT_F16, (uint16_t *)cache.k + vi * d + e, 2, 1, 1, &kd[at]);
                        vane_quant_dequantize(VANE_FORMAT_F16, (uint16_t *)cache.v + vi * d + e, 2, 1, 1, &vd[at]);
                    } else {
                        vane_fp8_decode(VANE_FP8_E4M3, (uint8_t *)cache.k + vi * d + e, &kd[at], 1);
                        vane_fp8_decode(VANE_FP8_E4M3, (uint8_t *)cache.v + vi * d + e, &vd[at], 1);
                        kd[at] *= ks[(size_t)vi];
                        vd[at] *= vs[(size_t)vi];
                    }
                }
            }
        }
        for (int32_t isa : isas) {
            CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
            for (int64_t nq : {int64_t(1), int64_t(5)}) {
                vane_attention_params p = params_of(c, in);
                std::vector<float> got((size_t)(nq * heads * d + 1), NAN), want((size_t)(nq * heads * d));
                const float *q = &in.q[(size_t)((5 - nq) * heads * d)];
                CHECK(vane_attention_cached(&p, q, nq, &cache, table.data(), nb, n, nullptr, got.data()) == VANE_OK, "dtype %d: %s", dtype,
                      vane_last_error());
                CHECK(isnan(got.back()), "wrote past out");
                CHECK(vane_attention(&p, q, nq, kd.data(), vd.data(), n, want.data()) == VANE_OK, "%s", vane_last_error());
                int bad = 0;
                for (size_t e = 0; e < want.size(); e++)
                    if (!(fabsf(got[e] - want[e]) <= 2e-5f * (1.0f + fabsf(want[e]))) && bad++ < 3)
                        CHECK(false, "isa %d dtype %d n_q %lld: cached %.7g, from decoded values %.7g at %zu", isa, dtype, (long long)nq, got[e],
                              want[e], e);
                // The entry of the oldest position the first query sees, released: refused.
                std::vector<int32_t> bad_table(table);
                bad_table[(size_t)((n - nq - window + 1) / bt)] = VANE_KV_RELEASED;
                CHECK(vane_attention_cached(&p, q, nq, &cache, bad_table.data(), nb, n, nullptr, got.data()) == VANE_E_OUT_OF_RANGE &&
                          strstr(vane_last_error(), "released"), "dtype %d n_q %lld: %s", dtype, (long long)nq, vane_last_error());
                // Without the window every entry is read, so the released ones are refused.
                p.window = 0;
                CHECK(vane_attention_cached(&p, q, nq, &cache, table.data(), nb, n, nullptr, got.data()) == VANE_E_OUT_OF_RANGE, "dtype %d: %s",
                      dtype, vane_last_error());
            }
        }
    }
}

// softcap_tanh against libm's double tanh: within 3 ulp of the result (or 2^-30 absolute near
// 0), odd, +-1 at +-Inf, NaN kept; the AVX2 softcap_tanh8 and AVX-512 softcap_tanh16 give the
// same bits.
void test_tanh(bool avx2, bool avx512) {
    std::vector<float> xs;
    for (int64_t i = -200000; i <= 200000; i++) xs.push_back((float)i * 1e-4f);
    for (float x : {0.625f, nextafterf(0.625f, 0.0f), -0.625f, 1e-30f, 1e-45f, 8.0f, 9.5f, 44.0f, 1e30f, INFINITY, -INFINITY, NAN, -0.0f})
        xs.push_back(x);
    while (xs.size() % 16 != 0) xs.push_back(0.5f);
    int bad = 0;
    for (float x : xs) {
        if (!isfinite(x)) continue;
        const double want = tanh((double)x);
        const float got = vane::softcap_tanh(x);
        const double ulp = fabs(want) < 1e-30 ? 0 : ldexp(1.0, ilogb(want) - 23);
        if (!(fabs(got - want) <= 3 * ulp + 0x1p-30) && bad++ < 3) CHECK(false, "tanh(%.9g) = %.9g, libm %.9g", x, got, want);
        if (got != -vane::softcap_tanh(-x) && bad++ < 3) CHECK(false, "tanh not odd at %.9g", x);
    }
    CHECK(bad == 0, "%d tanh values off", bad);
    for (int wide = 0; wide < 2; wide++) {
        if (!(wide ? avx512 : avx2)) continue;
        std::vector<float> y(xs.size(), 7.0f);
        (wide ? test_softcap_tanh16 : test_softcap_tanh8)(xs.data(), y.data(), (long)xs.size());
        int diff = 0;
        for (size_t i = 0; i < xs.size(); i++) {
            const float want = vane::softcap_tanh(xs[i]);
            if (bits_of(y[i]) != bits_of(want) && !(isnan(y[i]) && isnan(want)) && diff++ < 3)
                CHECK(false, "softcap_tanh%d(%.9g) = %.9g, scalar %.9g", wide ? 16 : 8, xs[i], y[i], want);
        }
        CHECK(diff == 0, "%d %s tanh values differ from the scalar ones", diff, wide ? "AVX-512" : "AVX2");
    }
    CHECK(vane::softcap_tanh(INFINITY) == 1.0f && vane::softcap_tanh(-INFINITY) == -1.0f && vane::softcap_tanh(1e30f) == 1.0f, "tanh at Inf");
    CHECK(isnan(vane::softcap_tanh(NAN)), "tanh(NaN)");
    CHECK(vane::softcap_tanh(1e-30f) == 1e-30f && vane::softcap_tanh(0.0f) == 0.0f, "tanh near 0");
}

// Edge values per variant: an infinite q makes its row NaN with the cap too (tanh would hide it);
// a row that sees no key gives zeros with a sink (cross-attention over no keys). Head dims 8 and
// 16 (AVX-512 takes 8 to the AVX2 kernels, handles 16 itself).
void test_edges(const std::vector<int32_t> &isas) {
    for (int32_t isa : isas) {
        for (int64_t d : {8, 16}) {
            CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
            const int64_t n = 6;
            std::vector<float> q((size_t)(n * d), 4.0f / (float)d), k((size_t)(n * d), 0.25f), v((size_t)(n * d), 1.0f), out((size_t)(n * d));
            const float sinks[1] = {2.0f};
            q[3 * d] = INFINITY;
            vane_attention_params p{1, 1, d, 1.0f, 1, 0, 30.0f, sinks};
            CHECK(vane_attention(&p, q.data(), n, k.data(), v.data(), n, out.data()) == VANE_OK && isnan(out[3 * d]) && !isnan(out[2 * d]),
                  "isa %d d %lld: Inf in q under the cap: %g, %g", isa, (long long)d, out[3 * d], out[2 * d]);
            // Row 2 sees 3 equal keys (values 1) and the sink: 3 e^s / (3 e^s + e^2), q . k = 1 capped to s = 30 tanh(1 / 30).
            const double s = 30.0 * tanh(1.0 / 30.0), w = 3 * exp(s) / (3 * exp(s) + exp(2.0));
            CHECK(fabs(out[2 * d] - w) <= 1e-6, "isa %d d %lld: row 2 = %.7g, want %.7g", isa, (long long)d, out[2 * d], w);
            out.assign(out.size(), NAN);
            p.causal = 0;
            CHECK(vane_attention(&p, q.data(), 2, nullptr, nullptr, 0, out.data()) == VANE_OK && out[0] == 0.0f && out[2 * d - 1] == 0.0f, "no keys");
        }
    }
}

void test_errors() {
    std::vector<float> x(256, 1.0f), out(256);
    auto has = [](const char *s) { return strstr(vane_last_error(), s) != nullptr; };
    for (float bad : {-1.0f, NAN, INFINITY}) {
        vane_attention_params p{2, 2, 8, 1.0f, 1, 0, bad, nullptr};
        CHECK(vane_attention(&p, x.data(), 1, x.data(), x.data(), 1, out.data()) == VANE_E_INVALID_ARGUMENT && has("softcap"), "softcap %g: %s",
              (double)bad, vane_last_error());
    }
    for (float bad : {NAN, INFINITY, -INFINITY}) {
        const float sinks[2] = {0.5f, bad};
        vane_attention_params p{2, 2, 8, 1.0f, 1, 0, 0.0f, sinks};
        CHECK(vane_attention(&p, x.data(), 1, x.data(), x.data(), 1, out.data()) == VANE_E_INVALID_ARGUMENT && has("sinks[1]"), "sink %g: %s",
              (double)bad, vane_last_error());
    }
}

// ---- llama.cpp's ggml_flash_attn_ext on a small graph ----

struct GgmlInitParams {  // ggml.h's struct ggml_init_params
    size_t mem_size;
    void *mem_buffer;
    bool no_alloc;
};

struct Ggml {
    void *(*init)(GgmlInitParams);
    void (*free)(void *);
    void *(*new_tensor_4d)(void *, int32_t, int64_t, int64_t, int64_t, int64_t);
    void *(*get_data)(void *);
    void *(*flash_attn_ext)(void *, void *, void *, void *, void *, float, float, float);
    void (*add_sinks)(void *, void *);
    void (*set_prec)(void *, int32_t);
    void *(*new_graph)(void *);
    void (*build_forward_expand)(void *, void *);
    int32_t (*compute)(void *, void *, int);
};

const Ggml &ggml() {
    static Ggml g;
    static bool loaded = false;
    if (!loaded) {
        ggml_peer<void (*)(void)>("ggml_cpu_init")();
        g.init = ggml_peer<decltype(g.init)>("ggml_init");
        g.free = ggml_peer<decltype(g.free)>("ggml_free");
        g.new_tensor_4d = ggml_peer<decltype(g.new_tensor_4d)>("ggml_new_tensor_4d");
        g.get_data = ggml_peer<decltype(g.get_data)>("ggml_get_data");
        g.flash_attn_ext = ggml_peer<decltype(g.flash_attn_ext)>("ggml_flash_attn_ext");
        g.add_sinks = ggml_peer<decltype(g.add_sinks)>("ggml_flash_attn_ext_add_sinks");
        g.set_prec = ggml_peer<decltype(g.set_prec)>("ggml_flash_attn_ext_set_prec");
        g.new_graph = ggml_peer<decltype(g.new_graph)>("ggml_new_graph");
        g.build_forward_expand = ggml_peer<decltype(g.build_forward_expand)>("ggml_build_forward_expand");
        g.compute = ggml_peer<decltype(g.compute)>("ggml_graph_compute_with_ctx");
        loaded = true;
    }
    return g;
}

// ggml's flash attention of the case, in Vane's output layout ([n_q][heads][d]: ggml's result
// [d, heads, n_q] is permuted that way). K and V in f32; the mask f16 (0 or -inf), its rows
// padded to 64 with -inf; precision F32 as llama.cpp sets it.
std::vector<float> ggml_attention(const Case &c, const Inputs &in) {
    const Ggml &g = ggml();
    void *ctx = g.init(GgmlInitParams{size_t(64) << 20, nullptr, false});
    CHECK(ctx != nullptr, "ggml_init failed");
    const int64_t d = c.d, rows = (c.n_q + 63) / 64 * 64;
    void *q = g.new_tensor_4d(ctx, GGML_F32, d, c.n_q, c.heads, 1);
    void *k = g.new_tensor_4d(ctx, GGML_F32, d, c.n_kv, c.kv_heads, 1);
    void *v = g.new_tensor_4d(ctx, GGML_F32, d, c.n_kv, c.kv_heads, 1);
    void *mask = g.new_tensor_4d(ctx, GGML_F16, c.n_kv, rows, 1, 1);
    float *qd = (float *)g.get_data(q), *kd = (float *)g.get_data(k), *vd = (float *)g.get_data(v);
    uint16_t *md = (uint16_t *)g.get_data(mask);
    for (int64_t i = 0; i < c.n_q; i++)
        for (int64_t h = 0; h < c.heads; h++)
            for (int64_t e = 0; e < d; e++) qd[(h * c.n_q + i) * d + e] = in.q[(size_t)((i * c.heads + h) * d + e)];
    for (int64_t j = 0; j < c.n_kv; j++)
        for (int64_t h = 0; h < c.kv_heads; h++)
            for (int64_t e = 0; e < d; e++) {
                kd[(h * c.n_kv + j) * d + e] = in.k[(size_t)((j * c.kv_heads + h) * d + e)];
                vd[(h * c.n_kv + j) * d + e] = in.v[(size_t)((j * c.kv_heads + h) * d + e)];
            }
    for (int64_t i = 0; i < rows; i++) {
        int64_t lo = 0, hi = 0;
        if (i < c.n_q) key_range(c, i, &lo, &hi);
        for (int64_t j = 0; j < c.n_kv; j++) md[i * c.n_kv + j] = j >= lo && j < hi ? 0x0000 : 0xFC00;  // f16 0, -inf
    }
    void *out = g.flash_attn_ext(ctx, q, k, v, mask, in.scale, 0.0f, c.softcap);
    if (!in.sinks.empty()) {
        void *sinks = g.new_tensor_4d(ctx, GGML_F32, c.heads, 1, 1, 1);
        memcpy(g.get_data(sinks), in.sinks.data(), sizeof(float) * (size_t)c.heads);
        g.add_sinks(out, sinks);
    }
    g.set_prec(out, 10);  // GGML_PREC_F32
    void *graph = g.new_graph(ctx);
    g.build_forward_expand(graph, out);
    CHECK(g.compute(ctx, graph, 2) == 0, "ggml_graph_compute_with_ctx failed");
    const float *od = (const float *)g.get_data(out);
    std::vector<float> result(od, od + c.n_q * c.heads * d);
    g.free(ctx);
    return result;
}

// Vane's reference kernel and ggml's flash attention, each against the float64 reference with
// the same tolerance, and against each other: the cap, the sink and the mask mean the same.
// Shapes reach ggml's per-row, tiled (64 queries or more) and split-KV (one query, 512 keys or
// more) paths.
void test_against_ggml(Rng &rng) {
    CHECK(vane_cpu_select(VANE_ISA_BASELINE) == VANE_OK, "%s", vane_last_error());
    const std::vector<Case> cases = {
        {4, 2, 64, 7, 33, true, 0, 4.0f, 5.0f, 1},      {4, 2, 64, 7, 33, true, 0, 1.0f, 0.0f, 2},
        {4, 4, 40, 9, 9, true, 4, 4.0f, 5.0f, 1},       {8, 2, 64, 70, 70, true, 0, 4.0f, 5.0f, 1},
        {8, 2, 64, 70, 90, true, 31, 1.0f, 50.0f, 2},   {4, 1, 64, 1, 600, true, 0, 2.0f, 30.0f, 1},
        {4, 2, 32, 1, 700, true, 100, 2.0f, 30.0f, 2},  {6, 3, 16, 5, 21, false, 0, 4.0f, 5.0f, 1},
    };
    for (const Case &c : cases) {
        const Inputs in = make_inputs(c, rng);
        const std::vector<float> ours = run(c, in), theirs = ggml_attention(c, in);
        CHECK(compare_to_reference(c, in, ours, "vane ref") == 0, "vane off the float64 reference");
        CHECK(compare_to_reference(c, in, theirs, "ggml") == 0, "ggml off the float64 reference");
        int bad = 0;
        for (size_t e = 0; e < ours.size(); e++)
            if (!(fabsf(ours[e] - theirs[e]) <= 1e-4f * (1.0f + fabsf(theirs[e]))) && bad++ < 3)
                CHECK(false, "d %lld n_q %lld n_kv %lld softcap %g sinks %d: vane %.7g, ggml %.7g at %zu", (long long)c.d, (long long)c.n_q,
                      (long long)c.n_kv, (double)c.softcap, c.sinks, ours[e], theirs[e], e);
    }
}

}  // namespace

int main() {
    const double t0 = now_s();
    std::vector<int32_t> isas = {VANE_ISA_BASELINE};
    if (compare_avx2_variant()) isas.push_back(VANE_ISA_AVX2);
    const bool avx512 = compare_variant(VANE_ISA_AVX512);
    if (avx512) isas.push_back(VANE_ISA_AVX512);
    vane_cpu_info cpu;
    vane_cpu_features(&cpu);
    Rng rng(13);
    vane_set_threads(2);
    test_tanh(isas.size() >= 2, avx512);
    test_cases(isas, rng);
    test_split(isas, rng);
    test_released_blocks(isas, rng);
    test_edges(isas);
    test_errors();
    test_against_ggml(rng);
    vane_cpu_select(cpu.active);
    printf("test_attn_features: %s in %.1f s\n", g_failures == 0 ? "PASS" : "FAIL", now_s() - t0);
    return finish("test_attn_features");
}
