// The k-quant super-blocks (quant/kquant_blocks.cpp: Q2_K, Q3_K, Q4_K, Q5_K, Q6_K) against
// llama.cpp's own quantize_row_q*_K_ref and dequantize_row_q*_K (tests/ggml_peer.h):
//  (1) quantize: the same bytes on seeded random super-blocks (normal, uniform, heavy-tailed,
//      offset, per-sub-block magnitudes; overall scales 2^-20 .. 2^12) and on edge blocks (zero,
//      constant, one huge value, tiny values with fp16-subnormal scales, exact ties on the code
//      grid, equal magnitudes with mixed signs, one non-zero sub-block, ...). Where llama.cpp's
//      d or dmin is not a finite fp16 (a scale overflowed), ours must say QUANT_SCALE_RANGE;
//      elsewhere QUANT_OK, except on the blocks whose searches overflow f32 inside llama.cpp
//      (|x| > ~1.8e19), which it silently ruins: there QUANT_SCALE_RANGE must come with a round
//      trip that really lost the input. One kind of input is excluded, where ggml's own code is
//      undefined (check_block says which);
//  (2) dequantize: bit-identical floats on every block of (1) and on random bytes with finite
//      fp16 d / dmin, outputs poisoned with different NaNs on each side first;
//  (3) round trip: |dequantize(quantize(x)) - x| within a per-type bound (kTypes, with reasons).
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <string>
#include <vector>

#include "check.h"
#include "ggml_peer.h"
#include "quant/ggml_blocks.h"
#include "quant/quant.h"
#include "vane.h"

namespace {

constexpr int kQK = 256;

struct KType {
    const char *name;       // ggml's name, as in its function names
    int bytes;              // block size
    int d_off, dmin_off;    // offsets of the fp16 d and dmin (-1: none)
    int32_t (*quantize)(const float *, uint8_t *);
    void (*dequantize)(const uint8_t *, float *);
    // Round trip: max |y - x| <= max_err * max|x| over the super-block, and on normal data the
    // RMS error <= rms_err * RMS(x). A sub-block's codes step through its range in steps of its
    // scale: about range / (2^bits - 1) with a min (range up to 2 max|x|), max|x| / 2^(bits-1)
    // for the symmetric Q3_K / Q6_K. Inside the range a code is half a step away; the clamped
    // end code (+max|x| of a symmetric sub-block gets code 2^(bits-1) - 1), the searches' choice
    // of a coarser scale, and the rounding of the sub-block scales to 4, 6 or 8 bits against the
    // largest add up to about another half step. So max_err is about one step of the largest
    // sub-block: 2/3 (Q2_K), 1/4 (Q3_K), 2/15, 2/31, 1/32 (Q6_K), with a margin (the measured
    // maxima, printed, stay well inside). rms_err is about 1.5 times the measured RMS error of
    // ggml's own blocks on these inputs: a wrong code or scale rule raises it well past that.
    double max_err, rms_err;
};

const KType kTypes[] = {
    // Q2_K: 3 steps over [min, max], 4-bit scales and mins; one step 2/3 of max|x|.
    {"q2_K", 84, offsetof(vane_block_q2_k, d), offsetof(vane_block_q2_k, dmin), vane::quantize_q2_k,
     vane::dequantize_q2_k, 0.70, 0.40},
    // Q3_K: codes -4..3 of max|x| / 4, 6-bit signed scales; one step 1/4 (the searches may
    // pick a coarser step: 0.26 measured).
    {"q3_K", 110, offsetof(vane_block_q3_k, d), -1, vane::quantize_q3_k, vane::dequantize_q3_k, 0.40, 0.22},
    // Q4_K: 15 steps over [min, max], 6-bit scales and mins; one step 2/15 = 0.133.
    {"q4_K", 144, offsetof(vane_block_q4_k, d), offsetof(vane_block_q4_k, dmin), vane::quantize_q4_k,
     vane::dequantize_q4_k, 0.16, 0.11},
    // Q5_K: 31 steps; one step 2/31 = 0.065.
    {"q5_K", 176, offsetof(vane_block_q5_k, d), offsetof(vane_block_q5_k, dmin), vane::quantize_q5_k,
     vane::dequantize_q5_k, 0.08, 0.055},
    // Q6_K: codes -32..31 of max|x| / 32, 8-bit signed scales; one step 1/32 = 0.031.
    {"q6_K", 210, offsetof(vane_block_q6_k, d), -1, vane::quantize_q6_k, vane::dequantize_q6_k, 0.04, 0.028},
};

uint16_t rd16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}
bool f16_finite(uint16_t h) { return (h & 0x7c00u) != 0x7c00u; }

bool scales_finite(const KType &t, const uint8_t *blk) {
    if (!f16_finite(rd16(blk + t.d_off))) return false;
    return t.dmin_off < 0 || f16_finite(rd16(blk + t.dmin_off));
}

// ---- inputs ----------------------------------------------------------------------------------

struct Block {
    std::string label;
    std::vector<float> x;
    bool random;  // a seeded random block (the round-trip statistics use these)
    bool normal;  // drawn from a plain normal distribution (the RMS bound applies)
};

std::vector<Block> random_blocks(uint64_t seed, int per_kind) {
    Rng rng(seed);
    std::vector<Block> out;
    const char *kinds[] = {"normal", "uniform", "heavy-tailed", "offset", "sub-block magnitudes", "positive"};
    for (int kind = 0; kind < 6; ++kind)
        for (int b = 0; b < per_kind; ++b) {
            const double scale = ldexp(1.0, (int)(rng.u32() % 33) - 20);  // 2^-20 .. 2^12
            double sub_scale[16];
            for (int j = 0; j < 16; ++j) sub_scale[j] = ldexp(1.0, -(int)(rng.u32() % 12));
            std::vector<float> x(kQK);
            for (int i = 0; i < kQK; ++i) {
                double v;
                switch (kind) {
                    case 0: v = rng.normal(); break;
                    case 1: v = 2.0 * rng.uniform() - 1.0; break;
                    case 2: {  // Student-t-like: a normal over the root of a small chi-square
                        const double c = rng.normal();
                        v = rng.normal() / sqrt(0.05 + c * c);
                        break;
                    }
                    case 3: v = rng.normal() * 0.3 + 2.0; break;
                    case 4: v = rng.normal() * sub_scale[i / 16]; break;
                    default: v = rng.uniform(); break;
                }
                x[(size_t)i] = (float)(v * scale);
            }
            char label[96];
            snprintf(label, sizeof label, "%s #%d (scale 2^%d)", kinds[kind], b, (int)log2(scale));
            out.push_back({label, x, true, kind == 0});
        }
    return out;
}

std::vector<Block> edge_blocks(uint64_t seed) {
    Rng rng(seed);
    std::vector<Block> out;
    auto add = [&](const std::string &label, const std::vector<float> &x) { out.push_back({label, x, false, false}); };
    auto normals = [&](double s) {
        std::vector<float> x(kQK);
        for (auto &v : x) v = (float)(rng.normal() * s);
        return x;
    };

    add("all +0", std::vector<float>(kQK, 0.0f));
    add("all -0", std::vector<float>(kQK, -0.0f));
    {
        std::vector<float> x(kQK);
        for (auto &v : x) v = (rng.u32() & 1) ? -0.0f : 0.0f;
        add("mixed signed zeros", x);
    }
    for (float c : {1.0f, -1.0f, 3.25f, -3.25f, 1000.0f, -1000.0f, 1e-3f, -1e-7f, 0x1p-20f, 1e20f, -3e38f})
        add("constant " + std::to_string(c), std::vector<float>(kQK, c));
    // One huge value among normal ones; from about 1e7 up some type's scale overflows fp16,
    // and the largest make the searches' sums overflow f32.
    for (double h : {1e3, -1e5, 1e6, 1e7, -3e8, 1e12, 1e20, -1e30, 3e38}) {
        std::vector<float> x = normals(1.0);
        x[rng.u32() % kQK] = (float)h;
        add("one huge " + std::to_string(h), x);
    }
    {
        std::vector<float> x(kQK, 0.0f);
        x[77] = 5.0f;
        add("single non-zero element", x);
    }
    // Tiny values: fp16-subnormal d (below 2^-14), d rounding to 0, the searches' eps cut-off
    // (1e-15), f32 subnormal inputs.
    for (int e : {-16, -20, -24, -28, -32, -36, -40, -48, -52, -60, -130, -140})
        add("tiny 2^" + std::to_string(e), normals(ldexp(1.0, e)));
    // Exact ties: half-integers with the sub-block's extreme at +-G, so the first iscale
    // (-nmax / max, or nmax / (max - min)) is a small exact number and many x * iscale land on
    // .5 exactly; and quarter steps of powers of two.
    for (int G : {3, 4, 8, 15, 16, 31, 32, 64}) {
        std::vector<float> sym(kQK), pos(kQK), quarter(kQK);
        for (int i = 0; i < kQK; ++i) {
            sym[(size_t)i] = (float)((int)(rng.u32() % (2u * G)) - G) + 0.5f;
            pos[(size_t)i] = (float)(rng.u32() % (unsigned)G) + 0.5f;
            quarter[(size_t)i] = (float)((int)(rng.u32() % (8u * G + 1)) - 4 * G) * 0.25f;
        }
        for (int j = 0; j < 16; ++j) {
            sym[(size_t)(16 * j)] = (j & 1) ? (float)G : -(float)G;
            pos[(size_t)(16 * j)] = (float)G;
        }
        add("ties +-" + std::to_string(G), sym);
        add("ties 0.." + std::to_string(G), pos);
        add("quarters " + std::to_string(G), quarter);
    }
    for (float c : {1.0f, 0.3f, 1000.0f, 0x1p-18f}) {
        std::vector<float> x(kQK);
        for (auto &v : x) v = (rng.u32() & 1) ? -c : c;
        add("equal magnitude mixed signs " + std::to_string(c), x);
    }
    // One non-zero sub-block, of 16 and of 32.
    for (int size : {16, 32})
        for (int k : {0, 3, 7, 15}) {
            if (k * size >= kQK) continue;
            std::vector<float> x(kQK, 0.0f);
            for (int i = 0; i < size; ++i) x[(size_t)(k * size + i)] = (float)rng.normal();
            add("only sub-block " + std::to_string(k) + " of " + std::to_string(size), x);
        }
    // Large and small sub-blocks alternating: the small ones' scales round to 0 and keep the
    // codes of their search.
    for (double ratio : {1e-2, 1e-3, 1e-5}) {
        std::vector<float> x = normals(1.0);
        for (int i = 0; i < kQK; ++i)
            if ((i / 16) % 2) x[(size_t)i] *= (float)ratio;
        add("alternating sub-blocks " + std::to_string(ratio), x);
    }
    // Near the largest finite fp16 scales.
    for (double s : {1e5, 1e6, 4e6, 8e6, 3e7, 2.5e8, 5e8, 1e13, 1e20, 1e36})
        add("large " + std::to_string(s), normals(s));
    return out;
}

// Random blocks with finite fp16 d (and dmin): any codes, any scale bytes, as a file may hold.
void random_bytes_block(Rng &rng, const KType &t, uint8_t *blk) {
    for (int i = 0; i < t.bytes; ++i) blk[i] = (uint8_t)rng.u32();
    for (int off : {t.d_off, t.dmin_off}) {
        if (off < 0) continue;
        uint16_t h = rd16(blk + off);
        switch (rng.u32() % 8) {
            case 0: h &= 0x83ffu; break;  // subnormal or zero
            case 1: h = (rng.u32() & 1) ? 0x7bffu : 0xfbffu; break;  // +-65504
            case 2: h = (rng.u32() & 1) ? 0x0000u : 0x8000u; break;  // +-0
            default: break;
        }
        if (!f16_finite(h)) h &= 0xbfffu;  // an Inf / NaN exponent -> finite
        memcpy(blk + off, &h, 2);
    }
}

// ---- checks ----------------------------------------------------------------------------------

// Both dequantizers on blk, outputs poisoned with different NaNs first; true if bit-identical.
bool dequant_agrees(const KType &t, ggml_peer_dequantize_t peer, const uint8_t *blk, const char *what) {
    float ours[kQK], ref[kQK];
    const uint32_t poison_ours = 0x7fc0dead, poison_ref = 0xffc0beef;
    for (int i = 0; i < kQK; ++i) {
        memcpy(&ours[i], &poison_ours, 4);
        memcpy(&ref[i], &poison_ref, 4);
    }
    t.dequantize(blk, ours);
    peer(blk, ref, kQK);
    int i = 0;
    while (i < kQK && bits_of(ours[i]) == bits_of(ref[i])) ++i;
    CHECK(i == kQK, "%s dequantize (%s): element %d: %08x (%g), llama.cpp %08x (%g)", t.name, what, i,
          bits_of(ours[i % kQK]), ours[i % kQK], bits_of(ref[i % kQK]), ref[i % kQK]);
    return i == kQK;
}

float max_abs(const std::vector<float> &x) {
    float m = 0.0f;
    for (float v : x) m = fmaxf(m, fabsf(v));
    return m;
}

struct Stats {
    int blocks = 0, excluded = 0, range_blocks = 0, range_bytes_same = 0, lost_blocks = 0, round_trips = 0;
    double worst_max = 0, sum_sq_err = 0, sum_sq_x = 0;
};

void check_block(const KType &t, ggml_peer_quantize_t peer_q, ggml_peer_dequantize_t peer_dq, const Block &b,
                 Stats &st) {
    // Excluded, where ggml itself is undefined: Q2_K on values this small (f32 subnormals) makes
    // the largest sub-block min fall below 15 / FLT_MAX, so ggml's 15 / max_min is +Inf,
    // nearest_int(+Inf) is -2^22 and ggml shifts that negative int left (`l << 4`), undefined
    // in C (a UBSan build of ggml-quants.c flags exactly the "tiny 2^-130" and "2^-140" blocks).
    if (strcmp(t.name, "q2_K") == 0 && max_abs(b.x) > 0.0f && max_abs(b.x) < 0x1p-100f) {
        ++st.excluded;
        return;
    }
    uint8_t ours[256], ref[256];
    memset(ours, 0xff, sizeof ours);
    memset(ref, 0xa5, sizeof ref);
    const int32_t rc = t.quantize(b.x.data(), ours);
    peer_q(b.x.data(), ref, kQK);
    ++st.blocks;
    if (!scales_finite(t, ref)) {
        // llama.cpp stores Inf (or NaN) there; ours must report the overflow. The bytes are only
        // counted: the output is unspecified then.
        ++st.range_blocks;
        st.range_bytes_same += memcmp(ours, ref, (size_t)t.bytes) == 0;
        CHECK(rc == vane::QUANT_SCALE_RANGE, "%s %s: llama.cpp's scale is not finite (d %04x), ours returned %d",
              t.name, b.label.c_str(), rd16(ref + t.d_off), rc);
        return;
    }
    // Finite scales: the same bytes, whatever ours returned.
    int at = 0;
    while (at < t.bytes && ours[at] == ref[at]) ++at;
    CHECK(at == t.bytes, "%s %s: quantized bytes differ first at byte %d: %02x, llama.cpp %02x", t.name,
          b.label.c_str(), at, ours[at % t.bytes], ref[at % t.bytes]);
    if (at != t.bytes) return;
    if (!dequant_agrees(t, peer_dq, ours, b.label.c_str())) return;

    float y[kQK];
    t.dequantize(ours, y);
    double amax = 0, max_err = 0, sq_err = 0, sq_x = 0;
    for (int i = 0; i < kQK; ++i) {
        const double x = b.x[(size_t)i], e = fabs((double)y[i] - x);
        amax = fmax(amax, fabs(x));
        max_err = fmax(max_err, e);
        sq_err += e * e;
        sq_x += x * x;
    }
    const bool within = max_err <= t.max_err * amax;
    if (rc == vane::QUANT_SCALE_RANGE) {
        // A finite d, but a sub-block's scale overflowed inside the search (|x| above ~1.8e19):
        // llama.cpp drops that sub-block. The flag must mark a block that really lost its input.
        ++st.lost_blocks;
        CHECK(!within, "%s %s: QUANT_SCALE_RANGE with finite scales, yet the round trip is within bounds (%g of %g)",
              t.name, b.label.c_str(), max_err, amax);
        return;
    }
    CHECK(rc == vane::QUANT_OK, "%s %s: returned %d", t.name, b.label.c_str(), rc);

    // Round trip, where the stored scales keep their relative precision: d a normal fp16 (and
    // dmin normal or 0). Below 2^-14 the fp16 scale itself loses bits, the format's limit.
    const uint16_t d = rd16(ours + t.d_off), dmin = t.dmin_off < 0 ? 0 : rd16(ours + t.dmin_off);
    if ((d & 0x7c00u) == 0 || ((dmin & 0x7fffu) != 0 && (dmin & 0x7c00u) == 0)) return;
    ++st.round_trips;
    CHECK(within, "%s %s: round-trip error %g > %g * max|x| (%g)", t.name, b.label.c_str(), max_err, t.max_err, amax);
    if (b.random && amax > 0) st.worst_max = fmax(st.worst_max, max_err / amax);
    if (b.normal) {
        st.sum_sq_err += sq_err;
        st.sum_sq_x += sq_x;
    }
}

}  // namespace

int main() {
    const std::vector<Block> edges = edge_blocks(7);
    const std::vector<Block> randoms = random_blocks(11, 2000);
    for (const KType &t : kTypes) {
        const std::string qn = std::string("quantize_row_") + t.name + "_ref";
        const std::string dn = std::string("dequantize_row_") + t.name;
        const auto peer_q = ggml_peer<ggml_peer_quantize_t>(qn.c_str());
        const auto peer_dq = ggml_peer<ggml_peer_dequantize_t>(dn.c_str());

        Stats st;
        for (const Block &b : edges) check_block(t, peer_q, peer_dq, b, st);
        for (const Block &b : randoms) check_block(t, peer_q, peer_dq, b, st);

        Rng rng(1000 + (uint64_t)t.bytes);
        uint8_t blk[256];
        for (int n = 0; n < 20000; ++n) {
            random_bytes_block(rng, t, blk);
            if (!dequant_agrees(t, peer_dq, blk, "random bytes")) break;
        }

        const double rms = st.sum_sq_x > 0 ? sqrt(st.sum_sq_err / st.sum_sq_x) : 0;
        CHECK(rms <= t.rms_err, "%s: RMS round-trip error on normal blocks %g > %g", t.name, rms, t.rms_err);
        // The overflow cases must actually be reached, or the QUANT_SCALE_RANGE check is empty.
        CHECK(st.range_blocks > 0, "%s: no block overflowed an fp16 scale", t.name);
        printf("%s: %d blocks compared, %d excluded; %d with an overflowed fp16 scale (%d byte-identical anyway), "
               "%d lost with finite scales\n",
               t.name, st.blocks, st.excluded, st.range_blocks, st.range_bytes_same, st.lost_blocks);
        printf("%s: %d round trips: worst max error %.4f of max|x| (bound %.2f), RMS on normal blocks %.4f of RMS(x) "
               "(bound %.3f)\n",
               t.name, st.round_trips, st.worst_max, t.max_err, rms, t.rms_err);
    }
    return finish("test_kquant_blocks");
}
