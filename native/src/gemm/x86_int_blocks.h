// How the integer weight formats (int4_*, int8_*, q4_0, q8_0) store their blocks, and the AVX2
// code that decodes an octet of 8 activation blocks' worth of one weight row into vectors in the
// layouts of the shared prepare step (gemm.h: pairs, lanes). Included by the x86 GEMM units of
// the integer formats (x86_avx2_int.cpp, x86_avx512_int.cpp), each compiling it for its own ISA
// (internal linkage, one copy per unit); with the loop over GEMM tiles that both run.
#pragma once
#include <stdlib.h>

#include "gemm/x86_avx2_common.h"
#include "quant/quant.h"
#include "vane.h"

namespace vane {
namespace {
namespace avx2g {

// ---- integer formats: how each stores a block ------------------------------------------------

enum Kind { kSym4, kAsym4, kInt8 };

// K: value kind; G: elements per block; BYTES: block size; F32: f32 scale (else fp16);
// AT: offset of the codes in the block.
template <Kind K, int G, int BYTES, bool F32, int AT>
struct Fmt {
    static constexpr Kind kind = K;
    static constexpr int g = G, bytes = BYTES, codes_at = AT;
    static constexpr bool f32_scale = F32;
};

using Sym4G32 = Fmt<kSym4, 32, 18, false, 2>;  // also q4_0 (the same layout)
using Sym4G64 = Fmt<kSym4, 64, 34, false, 2>;
using Sym4G128 = Fmt<kSym4, 128, 66, false, 2>;
using Asym4G32 = Fmt<kAsym4, 32, 20, false, 4>;
using Asym4G64 = Fmt<kAsym4, 64, 36, false, 4>;
using Asym4G128 = Fmt<kAsym4, 128, 68, false, 4>;
using Int8G32 = Fmt<kInt8, 32, 36, true, 4>;
using Int8G64 = Fmt<kInt8, 64, 68, true, 4>;
using Int8G128 = Fmt<kInt8, 128, 132, true, 4>;
using Q8_0 = Fmt<kInt8, 32, 34, false, 2>;

// run(F()) for the Fmt of an integer format but q4_0x8 (false for any other format).
template <class Run>
VG_INLINE bool with_int_fmt(int32_t format, Run run) {
    switch (format) {
        case VANE_FORMAT_Q4_0:
        case VANE_FORMAT_INT4_SYM_G32: run(Sym4G32()); return true;
        case VANE_FORMAT_INT4_SYM_G64: run(Sym4G64()); return true;
        case VANE_FORMAT_INT4_SYM_G128: run(Sym4G128()); return true;
        case VANE_FORMAT_INT4_ASYM_G32: run(Asym4G32()); return true;
        case VANE_FORMAT_INT4_ASYM_G64: run(Asym4G64()); return true;
        case VANE_FORMAT_INT4_ASYM_G128: run(Asym4G128()); return true;
        case VANE_FORMAT_INT8_G32: run(Int8G32()); return true;
        case VANE_FORMAT_INT8_G64: run(Int8G64()); return true;
        case VANE_FORMAT_INT8_G128: run(Int8G128()); return true;
        case VANE_FORMAT_Q8_0: run(Q8_0()); return true;
        default: return false;
    }
}

VG_INLINE __m256i low_nibbles(__m256i v) { return _mm256_and_si256(v, _mm256_set1_epi8(0x0f)); }
VG_INLINE __m256i high_nibbles(__m256i v) { return _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0f)); }

// The codes of act blocks 8*oct .. 8*oct + 7 of one weight row in the pair layout: v[p][h] holds
// elements 16h .. 16h + 15 of block 2p (low 128 bits) and of block 2p + 1 (high 128 bits); int4
// codes as 0..15, int8 values as they are. Blocks at or past nvalid are 0 and never read.
template <class F>
VG_INLINE void load_octet(const uint8_t *row, int64_t oct, int nvalid, __m256i v[4][2]) {
    const __m128i z = _mm_setzero_si128();
    if (F::kind == kInt8) {
        for (int p = 0; p < 4; p++) {
            const int64_t b0 = 8 * oct + 2 * p;
            const uint8_t *c0 = row + (b0 * 32 / F::g) * F::bytes + F::codes_at + (b0 * 32) % F::g;
            const uint8_t *c1 = row + ((b0 + 1) * 32 / F::g) * F::bytes + F::codes_at + ((b0 + 1) * 32) % F::g;
            for (int h = 0; h < 2; h++)
                v[p][h] = _mm256_set_m128i(2 * p + 1 < nvalid ? load16(c1 + 16 * h) : z,
                                           2 * p < nvalid ? load16(c0 + 16 * h) : z);
        }
    } else if (F::g == 32) {
        // A block's 16 code bytes: low nibbles are elements 0..15, high ones 16..31.
        for (int p = 0; p < 4; p++) {
            const uint8_t *q = row + (8 * oct + 2 * p) * F::bytes + F::codes_at;
            const __m256i w = _mm256_set_m128i(2 * p + 1 < nvalid ? load16(q + F::bytes) : z,
                                               2 * p < nvalid ? load16(q) : z);
            v[p][0] = low_nibbles(w);
            v[p][1] = high_nibbles(w);
        }
    } else if (F::g == 64) {
        // A block's 32 code bytes: low nibbles are elements 0..31 (act block 2w), high ones
        // 32..63 (act block 2w + 1): pair p of the octet is weight block 4*oct + p. Each 16
        // bytes go to both lanes; the high lane is shifted by 4.
        const __m256i shift = _mm256_setr_epi32(0, 0, 0, 0, 4, 4, 4, 4);
        for (int p = 0; p < 4; p++) {
            const uint8_t *q = row + (4 * oct + p) * F::bytes + F::codes_at;
            for (int h = 0; h < 2; h++)
                v[p][h] = 2 * p < nvalid
                              ? low_nibbles(_mm256_srlv_epi32(_mm256_broadcastsi128_si256(load16(q + 16 * h)), shift))
                              : _mm256_setzero_si256();
        }
    } else {
        // A block's 64 code bytes: low nibbles of bytes 0..31 are act block 4w, of 32..63 block
        // 4w + 1; high nibbles blocks 4w + 2, 4w + 3. Pairs 0, 1 are weight block 2*oct, 2, 3
        // the next.
        for (int w = 0; w < 2; w++) {
            if (4 * w < nvalid) {
                const uint8_t *q = row + (2 * oct + w) * F::bytes + F::codes_at;
                const __m256i a = _mm256_set_m128i(load16(q + 32), load16(q));       // bytes 0..15, 32..47
                const __m256i b = _mm256_set_m128i(load16(q + 48), load16(q + 16));  // bytes 16..31, 48..63
                v[2 * w][0] = low_nibbles(a);
                v[2 * w][1] = low_nibbles(b);
                v[2 * w + 1][0] = high_nibbles(a);
                v[2 * w + 1][1] = high_nibbles(b);
            } else {
                v[2 * w][0] = v[2 * w][1] = v[2 * w + 1][0] = v[2 * w + 1][1] = _mm256_setzero_si256();
            }
        }
    }
}

// 8 fp16 bits, slot j in bits 16j of lo (j < 4) or hi -> f32.
VG_INLINE __m256 f16x8(uint64_t lo, uint64_t hi) {
    // Keep the packing in general registers (the compiler would otherwise shuffle it in
    // vector registers, which cost more than the scalar shifts).
    __asm__("" : "+r"(lo), "+r"(hi));
    return _mm256_cvtph_ps(_mm_set_epi64x((long long)hi, (long long)lo));
}

// The fp16 field at offset `at` of the weight blocks of an octet's act blocks, in slot order
// (0 2 4 6 1 3 5 7); 0 for blocks at or past nvalid.
template <class F>
VG_INLINE __m256 f16_octet(const uint8_t *row, int64_t oct, int nvalid, int at) {
    if (F::g == 32) {
        uint64_t v[8];
        for (int t = 0; t < 8; t++) {
            v[t] = t < nvalid ? (uint64_t)get_u16(row + (8 * oct + t) * F::bytes + at) : 0;
            __asm__("" : "+r"(v[t]));
        }
        return f16x8(v[0] | (v[2] << 16) | (v[4] << 32) | (v[6] << 48), v[1] | (v[3] << 16) | (v[5] << 32) | (v[7] << 48));
    }
    if (F::g == 64) {  // act blocks 2w, 2w + 1 share weight block w: slots [w0 w1 w2 w3 | w0 w1 w2 w3]
        uint64_t v[4];
        for (int t = 0; t < 4; t++) {
            v[t] = 2 * t < nvalid ? (uint64_t)get_u16(row + (4 * oct + t) * F::bytes + at) : 0;
            __asm__("" : "+r"(v[t]));
        }
        const uint64_t w = v[0] | (v[1] << 16) | (v[2] << 32) | (v[3] << 48);
        return f16x8(w, w);
    }
    // g = 128: slots [w0 w0 w1 w1 | w0 w0 w1 w1]
    const uint64_t v0 = (uint64_t)get_u16(row + (2 * oct) * F::bytes + at);
    const uint64_t v1 = nvalid > 4 ? (uint64_t)get_u16(row + (2 * oct + 1) * F::bytes + at) : 0;
    const uint64_t w = (v0 | (v1 << 32)) * 0x10001u;
    return f16x8(w, w);
}

// d_w of an octet in slot order.
template <class F>
VG_INLINE __m256 load_dw(const uint8_t *row, int64_t oct, int nvalid) {
    if (!F::f32_scale) return f16_octet<F>(row, oct, nvalid, 0);
    float d[8];
    for (int j = 0; j < 8; j++) {
        const int64_t b = 8 * oct + (j < 4 ? 2 * j : 2 * (j - 4) + 1);  // slot j -> block
        d[j] = b - 8 * oct < nvalid ? get_f32(row + (b * 32 / F::g) * F::bytes) : 0.0f;
    }
    return _mm256_loadu_ps(d);
}

// int4_asym minimum m of an octet in slot order.
template <class F>
VG_INLINE __m256 load_mw(const uint8_t *row, int64_t oct, int nvalid) {
    return f16_octet<F>(row, oct, nvalid, 2);
}

// Pair layout (load_octet) -> lane layout.
VG_INLINE void pairs_to_lanes(const __m256i v[4][2], __m256i out[8]) {
    for (int h = 0; h < 2; h++) {
        const __m256i t0 = _mm256_unpacklo_epi32(v[0][h], v[1][h]), t1 = _mm256_unpackhi_epi32(v[0][h], v[1][h]);
        const __m256i t2 = _mm256_unpacklo_epi32(v[2][h], v[3][h]), t3 = _mm256_unpackhi_epi32(v[2][h], v[3][h]);
        out[4 * h + 0] = _mm256_unpacklo_epi64(t0, t2);
        out[4 * h + 1] = _mm256_unpackhi_epi64(t0, t2);
        out[4 * h + 2] = _mm256_unpacklo_epi64(t1, t3);
        out[4 * h + 3] = _mm256_unpackhi_epi64(t1, t3);
    }
}

// ---- batch invariance ---------------------------------------------------------------------------
//
// Row i of y must be bit for bit the same whatever M is and whichever row of the call x_i is
// (continuous batching: a request decoded beside others must get the tokens it gets alone). So
// every x86 kernel of these formats (the AVX2 GEMV, the AVX2 and AVX-512 tiles) sums one output in
// this order: k in slices of kSliceCols columns; in a slice, 8 f32 lanes in octet slot order,
// each a chain over the slice's octets in order from +0 of acc = fma(float(D) * d_x, d_w, acc)
// (int4_asym then acc = fma(m_w, s, acc)); the slice's sum is hsum4's tree of the 8 lanes; y =
// ((0 + sum of slice 0) + sum of slice 1) ... + bias. q4_0x8 has its own order (one chain per row
// over the blocks, x86_avx2_int.cpp's gemv_x8 and x86_avx512_int.cpp's small_x8, for every M).
constexpr int64_t kSliceCols = 4096;
constexpr int64_t kSliceOcts = kSliceCols / 256;

// ---- GEMM (m > kGemmPairsMaxM): the loop over tiles, for any ISA's tile kernel ---------------
//
// K (one per ISA unit) describes its tiles: R weight rows x Kc columns (a multiple of 256)
// decoded into a K::Tile by K::unpack<F>(a, j0, oct0, noct, tile) (rows past n and blocks past k
// zero), run against T rows of x at a time by K::rows<F, T>(tile, acts, i0, oct0, noct, out),
// which adds each (x row, weight row) sum into out[i][r]; Mb rows of x per block.
template <class F, class K>
void gemm_tiles(const GemmArgs &a, const GemmActs &acts, int64_t n0, int64_t n1) {
    constexpr int R = K::R, T = K::T;
    static_assert(K::Kc == kSliceCols, "the tiles' k slices are the slices of batch invariance");
    constexpr int64_t oct_per_kc = K::Kc / 256;
    static thread_local typename K::Tile tile;  // large for the stack with 512-bit tiles
    const int64_t nb = a.k / 32, noct_all = (nb + 7) / 8;
    // k goes in slices of Kc columns, outermost, and x in blocks of Mb rows, so a block's slice
    // of x (Mb x Kc bytes) stays in L2 while every tile of R weight rows of the chunk runs
    // against it (a tile is decoded once per block). The partial sums stay in y between slices;
    // the bias is added after the last.
    for (int64_t oct0 = 0; oct0 < noct_all || oct0 == 0; oct0 += oct_per_kc) {
        const int64_t noct = noct_all - oct0 < oct_per_kc ? noct_all - oct0 : oct_per_kc;
        const bool first = oct0 == 0, last = oct0 + noct >= noct_all;
        for (int64_t ib = 0; ib < a.m; ib += K::Mb)
        for (int64_t j0 = n0; j0 < n1; j0 += R) {
            const int rows = n1 - j0 >= R ? R : (int)(n1 - j0);
            if (noct > 0) K::template unpack<F>(a, j0, oct0, noct, tile);
            const int64_t iend = ib + K::Mb < a.m ? ib + K::Mb : a.m;
            for (int64_t i0 = ib; i0 < iend; i0 += T) {
                const int trows = iend - i0 >= T ? T : (int)(iend - i0);
                float out[T][R];
                for (int i = 0; i < T; i++)
                    for (int r = 0; r < R; r++)
                        out[i][r] = first || i >= trows || r >= rows ? 0.0f : a.y[(i0 + i) * a.ldy + j0 + r];
                if (noct > 0) {
                    if (trows == T) K::template rows<F, T>(tile, acts, i0, oct0, noct, out);
                    else
                        for (int i = 0; i < trows; i++) K::template rows<F, 1>(tile, acts, i0 + i, oct0, noct, out + i);
                }
                for (int i = 0; i < trows; i++)
                    for (int r = 0; r < rows; r++)
                        a.y[(i0 + i) * a.ldy + j0 + r] = last && a.bias ? out[i][r] + a.bias[j0 + r] : out[i][r];
            }
        }
        if (noct == 0) break;
    }
}

}  // namespace avx2g
}  // namespace
}  // namespace vane
