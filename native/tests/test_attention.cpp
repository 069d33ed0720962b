// Tests of vane_attention against a float64 naive softmax(q k^T * scale + mask) v, per variant:
// causal and not, grouped-query ratios 1, 4, 8 (and multi-query), head dims 64..256, lengths
// 1..4096, sliding window on and off, outputs poisoned first; the split-key path (few tasks,
// long keys) against the unsplit one; decode (one query) against the last row of prefill; and
// argument errors.
//
// Tolerance per output: 1e-4 * (1 + sum p |v|). Scores are f32 dot products over head_dim
// (error about head_dim * 2^-24 * sum |q k| * scale, ~5e-5 for N(0,1) data at 128), which the
// softmax turns into the same relative error of each weight p; the f32 sums of p v add
// head_dim-independent rounding of order n_kv * 2^-24 of sum p |v|.
#include <vector>

#include "check.h"
#include "vane.h"

namespace {

struct Case {
    int64_t heads, kv_heads, d, n_q, n_kv;
    bool causal;
    int64_t window;
};

std::vector<float> random_vec(int64_t n, Rng &rng) {
    std::vector<float> x(n);
    for (float &v : x) v = (float)rng.normal();
    return x;
}

// The float64 reference for query token i, head h; also sum p |v| per component into mag.
void reference(const Case &c, const std::vector<float> &q, const std::vector<float> &k, const std::vector<float> &v,
               float scale, int64_t i, int64_t h, std::vector<double> &out, std::vector<double> &mag) {
    const int64_t d = c.d, g = h / (c.heads / c.kv_heads);
    const int64_t pos = c.causal ? c.n_kv - c.n_q + i : 0;
    int64_t lo = 0, hi = c.n_kv;
    if (c.causal) {
        hi = pos + 1;
        if (c.window > 0 && pos - c.window + 1 > 0) lo = pos - c.window + 1;
    }
    std::vector<double> s(c.n_kv);
    double mx = -INFINITY;
    for (int64_t j = lo; j < hi; j++) {
        double dot = 0;
        for (int64_t e = 0; e < d; e++) dot += (double)q[(i * c.heads + h) * d + e] * k[(j * c.kv_heads + g) * d + e];
        s[j] = dot * scale;
        mx = s[j] > mx ? s[j] : mx;
    }
    double l = 0;
    for (int64_t j = lo; j < hi; j++) l += exp(s[j] - mx);
    out.assign(d, 0.0);
    mag.assign(d, 0.0);
    for (int64_t j = lo; j < hi; j++) {
        const double p = exp(s[j] - mx) / l;
        for (int64_t e = 0; e < d; e++) {
            const double vv = v[(j * c.kv_heads + g) * d + e];
            out[e] += p * vv;
            mag[e] += p * fabs(vv);
        }
    }
}

std::vector<float> run(const Case &c, const std::vector<float> &q, const std::vector<float> &k, const std::vector<float> &v,
                       float scale) {
    vane_attention_params p{c.heads, c.kv_heads, c.d, scale, c.causal ? 1 : 0, c.window, 0.0f, nullptr};
    std::vector<float> out(c.n_q * c.heads * c.d + 1, NAN);  // poisoned, one past the end
    CHECK(vane_attention(&p, q.data(), c.n_q, k.data(), v.data(), c.n_kv, out.data()) == VANE_OK, "%s", vane_last_error());
    CHECK(isnan(out.back()), "wrote past out");
    out.pop_back();
    return out;
}

void test_case(const Case &c, Rng &rng, const std::vector<int32_t> &isas, int64_t check_rows = 40) {
    const std::vector<float> q = random_vec(c.n_q * c.heads * c.d, rng), k = random_vec(c.n_kv * c.kv_heads * c.d, rng),
                             v = random_vec(c.n_kv * c.kv_heads * c.d, rng);
    const float scale = 1.0f / sqrtf((float)c.d);
    for (int32_t isa : isas) {
        CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
        const std::vector<float> out = run(c, q, k, v, scale);
        std::vector<double> want, mag;
        int bad = 0;
        // Every row of small cases; for long ones the first, last and a spread of rows between.
        const int64_t step = c.n_q <= check_rows ? 1 : c.n_q / check_rows;
        for (int64_t i = 0; i < c.n_q; i += (i + step < c.n_q || i == c.n_q - 1) ? step : c.n_q - 1 - i) {
            for (int64_t h = 0; h < c.heads; h++) {
                reference(c, q, k, v, scale, i, h, want, mag);
                for (int64_t e = 0; e < c.d; e++) {
                    const float got = out[(i * c.heads + h) * c.d + e];
                    const double tol = 1e-4 * (1.0 + mag[e]);
                    if (!(fabs(got - want[e]) <= tol) && bad++ < 3)
                        CHECK(false, "isa %d heads %lld/%lld d %lld n_q %lld n_kv %lld causal %d window %lld: out[%lld, %lld, %lld] = %.7g, reference %.7g",
                              isa, (long long)c.heads, (long long)c.kv_heads, (long long)c.d, (long long)c.n_q, (long long)c.n_kv, c.causal,
                              (long long)c.window, (long long)i, (long long)h, (long long)e, got, want[e]);
                }
            }
            if (i == c.n_q - 1) break;
        }
        CHECK(bad == 0, "%d outputs off", bad);
    }
}

// One query over a long cache: the split-key path (1 KV head: few tasks) against the same call
// on one thread (no split), and decode against the last row of a prefill.
void test_split_and_decode(const std::vector<int32_t> &isas, Rng &rng) {
    const int64_t d = 64, heads = 8, kv_heads = 1, n = 3000;
    const std::vector<float> q = random_vec(4 * heads * d, rng), k = random_vec(n * kv_heads * d, rng), v = random_vec(n * kv_heads * d, rng);
    const float scale = 0.125f;
    for (int32_t isa : isas) {
        CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
        const Case dec{heads, kv_heads, d, 1, n, true, 0};
        std::vector<float> q1(q.begin() + 3 * heads * d, q.end());
        vane_set_threads(4);
        const std::vector<float> split = run(dec, q1, k, v, scale);
        vane_set_threads(1);
        const std::vector<float> whole = run(dec, q1, k, v, scale);
        const Case pre{heads, kv_heads, d, 4, n, true, 0};
        const std::vector<float> prefill = run(pre, q, k, v, scale);
        for (int64_t e = 0; e < heads * d; e++) {
            CHECK(fabs(split[e] - whole[e]) <= 1e-5 * (1 + fabs(whole[e])), "isa %d: split %.7g vs whole %.7g at %lld", isa, split[e], whole[e],
                  (long long)e);
            CHECK(fabs(prefill[3 * heads * d + e] - whole[e]) <= 1e-5 * (1 + fabs(whole[e])), "isa %d: decode %.7g vs prefill's last row %.7g",
                  isa, whole[e], prefill[3 * heads * d + e]);
        }
        vane_set_threads(2);
    }
}

// The paged cache: a sequence written in pieces into shuffled blocks, read back through
// vane_attention_cached, against vane_attention on the values the cache holds (decoded here
// independently); the stored values against the originals, per storage type: f32 exact, f16
// within 2^-11 relative (round to nearest, 11 significant bits), FP8 E4M3 within 2^-4 of the
// value or 2^-10 of the vector's scale below the normal range (3 mantissa bits); keys rotated at
// attention time against keys rotated before; block copies; errors.
void test_cache(const std::vector<int32_t> &isas, Rng &rng) {
    const int64_t kvh = 2, heads = 8, d = 64, bt = 16, n = 200, nq = 3, nblocks = 40;
    const float scale = 0.125f;
    for (int32_t dtype : {VANE_KV_F32, VANE_KV_F16, VANE_KV_FP8_E4M3}) {
        vane_kv_cache c{dtype, 0, kvh, d, bt, nblocks, nullptr, nullptr, nullptr, nullptr};
        int64_t kv_bytes = 0, scale_bytes = 0;
        CHECK(vane_kv_cache_bytes(&c, &kv_bytes, &scale_bytes) == VANE_OK, "%s", vane_last_error());
        std::vector<uint8_t> kmem(kv_bytes), vmem(kv_bytes);
        std::vector<float> ks(scale_bytes / 4 + 1), vs(scale_bytes / 4 + 1);
        c.k = kmem.data();
        c.v = vmem.data();
        c.k_scales = dtype == VANE_KV_FP8_E4M3 ? ks.data() : nullptr;
        c.v_scales = dtype == VANE_KV_FP8_E4M3 ? vs.data() : nullptr;
        std::vector<int32_t> table;
        for (int32_t b = 0; b < (n + bt - 1) / bt; b++) table.push_back((b * 7 + 3) % nblocks);  // shuffled, distinct
        const std::vector<float> k = random_vec(n * kvh * d, rng), v = random_vec(n * kvh * d, rng), q = random_vec(nq * heads * d, rng);
        int64_t pos = 0;
        for (int64_t piece : {77, 1, 122}) {
            CHECK(vane_kv_write(&c, table.data(), (int64_t)table.size(), pos, &k[pos * kvh * d], &v[pos * kvh * d], piece) == VANE_OK, "%s",
                  vane_last_error());
            pos += piece;
        }
        // What the cache holds, decoded here.
        std::vector<float> kd(n * kvh * d), vd(n * kvh * d);
        for (int64_t t = 0; t < n; t++)
            for (int64_t g = 0; g < kvh; g++) {
                const int64_t vi = (table[t / bt] * kvh + g) * bt + t % bt;
                for (int64_t e = 0; e < d; e++) {
                    const int64_t at = (t * kvh + g) * d + e;
                    if (dtype == VANE_KV_F32) {
                        kd[at] = ((float *)c.k)[vi * d + e];
                        vd[at] = ((float *)c.v)[vi * d + e];
                    } else if (dtype == VANE_KV_F16) {
                        vane_quant_dequantize(VANE_FORMAT_F16, (uint16_t *)c.k + vi * d + e, 2, 1, 1, &kd[at]);
                        vane_quant_dequantize(VANE_FORMAT_F16, (uint16_t *)c.v + vi * d + e, 2, 1, 1, &vd[at]);
                    } else {
                        vane_fp8_decode(VANE_FP8_E4M3, (uint8_t *)c.k + vi * d + e, &kd[at], 1);
                        vane_fp8_decode(VANE_FP8_E4M3, (uint8_t *)c.v + vi * d + e, &vd[at], 1);
                        kd[at] *= ks[vi];
                        vd[at] *= vs[vi];
                    }
                    const float *orig[2] = {&k[at], &v[at]};
                    const float got[2] = {kd[at], vd[at]};
                    for (int side = 0; side < 2; side++) {
                        const double x = *orig[side], err = fabs(got[side] - x);
                        const double sc = dtype == VANE_KV_FP8_E4M3 ? (side ? vs[vi] : ks[vi]) : 0;
                        const double tol = dtype == VANE_KV_F32 ? 0 : dtype == VANE_KV_F16 ? fabs(x) * 0x1p-11 + 1e-7
                                                                                        : fmax(fabs(x) * 0x1p-4, sc * 0x1p-10) * 1.0001;
                        CHECK(err <= tol, "dtype %d token %lld: stored %.7g for %.7g", dtype, (long long)t, got[side], x);
                    }
                }
            }
        for (int32_t isa : isas) {
            CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
            for (int rope = 0; rope < 2; rope++) {
                vane_attention_params p{heads, kvh, d, scale, 1, 0, 0.0f, nullptr};
                vane_rope_params rp{kvh, d, d, 10000.0f, 1.0f, rope == 1 ? 0 : 1, nullptr, 0.0f, 0.0f, 0.0f, 0.0f, 0};
                std::vector<float> rtable(n * d);
                CHECK(vane_rope_table(&rp, n, rtable.data()) == VANE_OK, "%s", vane_last_error());
                const vane_key_rope kr{rtable.data(), n, d, rp.neox};
                std::vector<float> got(nq * heads * d + 1, NAN), want(nq * heads * d);
                CHECK(vane_attention_cached(&p, q.data(), nq, &c, table.data(), (int64_t)table.size(), n, rope ? &kr : nullptr, got.data()) ==
                          VANE_OK, "%s", vane_last_error());
                CHECK(isnan(got.back()), "wrote past out");
                std::vector<float> kk = kd;
                if (rope) {
                    std::vector<int64_t> positions(n);
                    for (int64_t t = 0; t < n; t++) positions[t] = t;
                    CHECK(vane_rope(&rp, kk.data(), n, kvh * d, positions.data()) == VANE_OK, "%s", vane_last_error());
                }
                CHECK(vane_attention(&p, q.data(), nq, kk.data(), vd.data(), n, want.data()) == VANE_OK, "%s", vane_last_error());
                int bad = 0;
                for (int64_t e = 0; e < nq * heads * d; e++)
                    if (!(fabs(got[e] - want[e]) <= 2e-5 * (1 + fabs(want[e]))) && bad++ < 3)
                        CHECK(false, "isa %d dtype %d rope %d: out[%lld] = %.7g, from decoded keys %.7g", isa, dtype, rope, (long long)e, got[e],
                              want[e]);
            }
        }
        // Copy-on-write: a block copied elsewhere holds the same bytes.
        const int32_t from = table[2], to = 39;
        CHECK(vane_kv_copy_blocks(&c, &from, &to, 1) == VANE_OK, "%s", vane_last_error());
        const int64_t block_bytes = kv_bytes / nblocks;
        CHECK(memcmp(kmem.data() + from * block_bytes, kmem.data() + to * block_bytes, block_bytes) == 0 &&
                  memcmp(vmem.data() + from * block_bytes, vmem.data() + to * block_bytes, block_bytes) == 0,
              "block copy differs");
        // Errors: past the table, a block outside the pool, mismatched head_dim, FP8 and NaN.
        auto has = [](const char *s) { return strstr(vane_last_error(), s) != nullptr; };
        CHECK(vane_kv_write(&c, table.data(), (int64_t)table.size(), n + 10, k.data(), v.data(), 1) == VANE_E_OUT_OF_RANGE &&
                  has("past the block table"), "%s", vane_last_error());
        std::vector<int32_t> bad_table(table);
        bad_table[1] = 40;
        CHECK(vane_kv_write(&c, bad_table.data(), (int64_t)table.size(), 0, k.data(), v.data(), 20) == VANE_E_OUT_OF_RANGE &&
                  has("outside the pool"), "%s", vane_last_error());
        vane_attention_params wrong{heads, kvh, 32, scale, 1, 0, 0.0f, nullptr};
        std::vector<float> out1(heads * d);
        CHECK(vane_attention_cached(&wrong, q.data(), 1, &c, table.data(), (int64_t)table.size(), n, nullptr, out1.data()) ==
                  VANE_E_INVALID_ARGUMENT && has("the cache holds"), "%s", vane_last_error());
        if (dtype == VANE_KV_FP8_E4M3) {
            std::vector<float> kn(k.begin(), k.begin() + kvh * d);
            kn[5] = NAN;
            CHECK(vane_kv_write(&c, table.data(), (int64_t)table.size(), 0, kn.data(), v.data(), 1) == VANE_E_NON_FINITE, "%s", vane_last_error());
        }
    }
}

// Head dim d: a non-finite value of a key a row does not see never reaches it; an infinite or
// overflowing score makes its row NaN.
void test_nonfinite(int32_t isa, int64_t d) {
    // Causal, one head per KV head (micro-tiles mix tokens): Inf in the value of the last key.
    const int64_t n = 6;
    std::vector<float> q(n * d, 0.5f), k(n * d, 0.25f), v(n * d, 1.0f), out(n * d);
    v[(n - 1) * d + 2] = INFINITY;
    vane_attention_params p{1, 1, d, 1.0f, 1, 0, 0.0f, nullptr};
    CHECK(vane_attention(&p, q.data(), n, k.data(), v.data(), n, out.data()) == VANE_OK, "%s", vane_last_error());
    for (int64_t i = 0; i < n - 1; i++)
        CHECK(out[i * d + 2] == 1.0f, "isa %d d %lld: row %lld got %g from a key it does not see", isa, (long long)d, (long long)i, out[i * d + 2]);
    CHECK(isinf(out[(n - 1) * d + 2]) || isnan(out[(n - 1) * d + 2]), "isa %d d %lld: the row that sees Inf", isa, (long long)d);
    // An infinite q, and scores that overflow f32: NaN rows.
    std::vector<float> qi(q), kb(n * d, 1e30f);
    qi[3 * d] = INFINITY;
    CHECK(vane_attention(&p, qi.data(), n, k.data(), v.data(), n, out.data()) == VANE_OK && isnan(out[3 * d]) && !isnan(out[2 * d]),
          "isa %d d %lld: Inf in q", isa, (long long)d);
    std::vector<float> qb(n * d, 1e30f);
    CHECK(vane_attention(&p, qb.data(), n, kb.data(), v.data(), n, out.data()) == VANE_OK && isnan(out[0]),
          "isa %d d %lld: overflowing scores give %g", isa, (long long)d, out[0]);
}

// Edge values, per variant: test_nonfinite at head dims 8 and 16 (AVX-512 takes 8 to the AVX2
// kernels, handles 16 itself); FP8 caches holding values far beyond 448 (scales of 2^8 and
// more) decode exactly.
void test_edges(const std::vector<int32_t> &isas) {
    for (int32_t isa : isas) {
        CHECK(vane_cpu_select(isa) == VANE_OK, "%s", vane_last_error());
        for (int64_t d : {8, 16}) test_nonfinite(isa, d);
        // FP8 cache with amax 2e5 in keys and values (scales near 2^9).
        const int64_t kvh = 1, hd = 64, bt = 16, len = 40;
        vane_kv_cache c{VANE_KV_FP8_E4M3, 0, kvh, hd, bt, 4, nullptr, nullptr, nullptr, nullptr};
        int64_t kvb = 0, sb = 0;
        CHECK(vane_kv_cache_bytes(&c, &kvb, &sb) == VANE_OK, "%s", vane_last_error());
        std::vector<uint8_t> km(kvb), vm(kvb);
        std::vector<float> ks(sb / 4), vs(sb / 4);
        c.k = km.data();
        c.v = vm.data();
        c.k_scales = ks.data();
        c.v_scales = vs.data();
        std::vector<int32_t> table = {2, 0, 3};
        std::vector<float> kk(len * hd), vv(len * hd), qq(2 * hd), o1(2 * hd), o2(2 * hd);
        for (int64_t e = 0; e < len * hd; e++) {
            kk[e] = (float)((e * 37 % 101) - 50) * 4000.0f;
            vv[e] = (float)((e * 53 % 97) - 48) * 4000.0f;
        }
        for (int64_t e = 0; e < 2 * hd; e++) qq[e] = (float)((e % 7) - 3) * 1e-5f;
        CHECK(vane_kv_write(&c, table.data(), 3, 0, kk.data(), vv.data(), len) == VANE_OK, "%s", vane_last_error());
        vane_attention_params pc{2, 1, hd, 1.0f, 1, 0, 0.0f, nullptr};
        CHECK(vane_attention_cached(&pc, qq.data(), 1, &c, table.data(), 3, len, nullptr, o1.data()) == VANE_OK, "%s", vane_last_error());
        CHECK(vane_cpu_select(VANE_ISA_BASELINE) == VANE_OK, "%s", vane_last_error());
        CHECK(vane_attention_cached(&pc, qq.data(), 1, &c, table.data(), 3, len, nullptr, o2.data()) == VANE_OK, "%s", vane_last_error());
        for (int64_t e = 0; e < hd; e++)
            CHECK(isfinite(o1[e]) && fabs(o1[e] - o2[e]) <= 1e-4 * (fabs(o2[e]) + 2e5), "isa %d: large FP8 values: %g vs reference %g", isa, o1[e], o2[e]);
    }
    // A cache whose size overflows is refused.
    vane_kv_cache huge{VANE_KV_F32, 0, 4096, 512, 65536, int64_t(1) << 27, nullptr, nullptr, nullptr, nullptr};
    int64_t kvb = 0, sb = 0;
    CHECK(vane_kv_cache_bytes(&huge, &kvb, &sb) == VANE_E_INVALID_ARGUMENT && strstr(vane_last_error(), "too large"), "%s", vane_last_error());
}

void test_errors() {
    std::vector<float> x(4096, 1.0f), out(4096);
    vane_attention_params p{8, 3, 64, 0.125f, 1, 0, 0.0f, nullptr};
    auto has = [](const char *s) { return strstr(vane_last_error(), s) != nullptr; };
    CHECK(vane_attention(&p, x.data(), 1, x.data(), x.data(), 1, out.data()) == VANE_E_INVALID_ARGUMENT && has("does not divide"), "%s",
          vane_last_error());
    p = {8, 2, 0, 0.125f, 1, 0, 0.0f, nullptr};
    CHECK(vane_attention(&p, x.data(), 1, x.data(), x.data(), 1, out.data()) == VANE_E_INVALID_ARGUMENT && has("head_dim"), "%s",
          vane_last_error());
    p = {2, 2, 8, 0.125f, 1, 0, 0.0f, nullptr};
    CHECK(vane_attention(&p, x.data(), 3, x.data(), x.data(), 2, out.data()) == VANE_E_INVALID_ARGUMENT && has("n_q <= n_kv"), "%s",
          vane_last_error());
    p = {2, 2, 8, NAN, 0, 0, 0.0f, nullptr};
    CHECK(vane_attention(&p, x.data(), 1, x.data(), x.data(), 1, out.data()) == VANE_E_INVALID_ARGUMENT && has("scale"), "%s", vane_last_error());
    p = {2, 2, 8, 1.0f, 1, -1, 0.0f, nullptr};
    CHECK(vane_attention(&p, x.data(), 1, x.data(), x.data(), 1, out.data()) == VANE_E_INVALID_ARGUMENT && has("window"), "%s", vane_last_error());
    p = {2, 2, 8, 1.0f, 0, 0, 0.0f, nullptr};
    CHECK(vane_attention(&p, x.data(), 1, x.data(), x.data(), 1, x.data() + 8) == VANE_E_INVALID_ARGUMENT && has("overlaps"), "%s",
          vane_last_error());
    CHECK(vane_attention(nullptr, x.data(), 1, x.data(), x.data(), 1, out.data()) == VANE_E_INVALID_ARGUMENT, "null params");
    // No keys: zeros. A NaN in k: NaN out for the rows that see it.
    out.assign(64, 5.0f);
    CHECK(vane_attention(&p, x.data(), 2, nullptr, nullptr, 0, out.data()) == VANE_OK && out[0] == 0.0f && out[31] == 0.0f, "n_kv = 0");
    std::vector<float> kn(x.begin(), x.begin() + 32);
    kn[17] = NAN;
    CHECK(vane_attention(&p, x.data(), 1, kn.data(), x.data(), 2, out.data()) == VANE_OK && isnan(out[0]) && !isnan(out[8]),
          "a NaN key makes NaN the head that sees it, only");
}

}  // namespace

int main() {
    const double t0 = now_s();
    std::vector<int32_t> isas = {VANE_ISA_BASELINE};
    if (compare_avx2_variant()) isas.push_back(VANE_ISA_AVX2);
    if (compare_variant(VANE_ISA_AVX512)) isas.push_back(VANE_ISA_AVX512);
    vane_cpu_info cpu;
    vane_cpu_features(&cpu);
    Rng rng(5);
    vane_set_threads(2);
    for (int64_t ratio : {1, 4, 8}) {
        for (int64_t d : {64, 128}) {
            for (int64_t n : {1, 17, 512}) {
                test_case({8, 8 / ratio, d, n, n, true, 0}, rng, isas);        // causal prefill
                test_case({8, 8 / ratio, d, n, n, true, 100}, rng, isas);      // sliding window
                test_case({8, 8 / ratio, d, n, n + 37, false, 0}, rng, isas);  // cross-attention, other length
                test_case({8, 8 / ratio, d, 1, n + 5, true, 0}, rng, isas);    // decode
            }
        }
    }
    test_case({4, 1, 80, 33, 70, true, 0}, rng, isas);  // head dims 80, 96, 256; multi-query
    test_case({6, 2, 96, 20, 20, false, 0}, rng, isas);
    test_case({2, 1, 256, 9, 300, true, 64}, rng, isas);
    test_case({4, 4, 12, 5, 9, true, 0}, rng, isas);  // head_dim not a multiple of 8 (AVX2 falls back)
    test_case({4, 2, 40, 21, 45, true, 0}, rng, isas);   // not a multiple of 16 (AVX-512 takes AVX2's kernels)
    test_case({4, 2, 48, 21, 45, true, 0}, rng, isas);   // AVX-512: 48 = 3 vectors, 112 = 64 + 3 vectors
    test_case({4, 1, 112, 7, 70, false, 0}, rng, isas);
    test_case({8, 2, 64, 4096, 4096, true, 0}, rng, isas, 6);  // long: a few rows checked
    test_split_and_decode(isas, rng);
    test_cache(isas, rng);
    test_edges(isas);
    test_errors();
    vane_cpu_select(cpu.active);
    printf("test_attention: %s in %.1f s\n", g_failures == 0 ? "PASS" : "FAIL", now_s() - t0);
    return finish("test_attention");
}
