// AVX-512 GEMM of the integer weight formats for M > kGemmPairsMaxM (compiled with the AVX-512
// flags; internal linkage but for gemm_int_avx512). The semantics of ref.cpp, on the shared
// prepare step's activations in the lane layout (gemm.h), as the AVX2 tiles compute them
// (x86_avx2_int.cpp), with two differences:
//   - vpdpbusd (VNNI) multiplies unsigned weight bytes by the signed q and sums each 4 products
//     into its int32 lane: exact, no int16 stage, a quarter of the AVX2 instructions. int4 codes
//     are 0..15 already; int8 weights go in as w + 128 (w ^ 0x80) and D loses 128 * qsum, as the
//     4-bit symmetric formats lose 8 * qsum.
//   - A 512-bit vector holds two octets: vector u of a pair of octets is [vector u of octet 2p |
//     vector u of octet 2p + 1] of the lane layout, in x (two 256-bit loads) and in the decoded
//     tile alike, so its 16 int32 lanes are D of 16 blocks in slot order, and the scales of those
//     16 blocks are one 512-bit load each (d, qsum, s of octets 2p and 2p + 1 are contiguous).
// A k slice with an odd number of octets ends in a pair with its upper half zero (x zero-extended,
// scales loaded under a mask; nothing is read past the row).
#include <immintrin.h>

// GCC 12's 512-bit intrinsics start from _mm512_undefined_*(), which it then reports as maybe
// used uninitialized once they are inlined into templates; the values are never read.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "gemm/x86_avx2.h"
#include "gemm/x86_avx512.h"
#include "gemm/x86_int_blocks.h"
#include "vane.h"

namespace vane {

namespace {
namespace avx2g {

VG_INLINE __m512i concat(__m256i lo, __m256i hi) { return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1); }
VG_INLINE __m512 concat(__m256 lo, __m256 hi) { return _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1); }
VG_INLINE __m256 fold(__m512 v) { return _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1)); }

// The tiles of gemm_tiles (x86_int_blocks.h). Sizes measured on a 2-vCPU Zen 5, q4_0 / q8_0 at
// m = 512, n = k = 4096, 2 threads: R8 T2 Kc1024 Mb256 22.0 / 22.6 ms; R4 T3 27.9; R8 T3 43.2 and
// R16 T1 38.3 (register spills); Kc2048 Mb128 22.3; Kc4096 Mb128 18.5 / 19.0 (52% of the int8
// ceiling); Mb64 18.7; Mb32 20.5. The AVX2 tiles take 50.2 / 61.8 ms.
struct Avx512Tiles {
    static constexpr int R = 8;          // weight rows per tile (a multiple of 4)
    static constexpr int T = 2;          // x rows per micro-tile
    static constexpr int64_t Kc = 4096;  // columns per tile (a multiple of 512)
    static constexpr int64_t Mb = 128;  // x rows per block
    static constexpr int kPairs = Kc / 512;

    // R weight rows x Kc columns in pairs of octets of the lane layout; int8 values as w ^ 0x80.
    // Rows past the matrix, blocks past k and the missing octet of a last pair hold zeros.
    struct alignas(64) Tile {
        __m512i v[R][kPairs][8];
        __m512 dw[R][kPairs];
        __m512 mw[R][kPairs];  // int4_asym
    };

    template <class F>
    static void unpack(const GemmArgs &a, int64_t j0, int64_t oct0, int64_t noct, Tile &t) {
        const int64_t row_bytes = a.k / F::g * F::bytes;
        const int64_t nb = a.k / 32;
        const __m256i flip = _mm256_set1_epi8(F::kind == kInt8 ? (char)0x80 : 0);
        for (int r = 0; r < R; r++) {
            const bool real = j0 + r < a.n;
            const uint8_t *row = (const uint8_t *)a.w + (j0 + r) * row_bytes;
            for (int64_t p = 0; 2 * p < noct; p++) {
                __m256i lanes[2][8];
                __m256 dw[2], mw[2];
                for (int h = 0; h < 2; h++) {
                    const int64_t oct = oct0 + 2 * p + h;
                    const int nvalid = !real || 2 * p + h >= noct ? 0 : nb - 8 * oct >= 8 ? 8 : (int)(nb - 8 * oct);
                    __m256i v[4][2];
                    load_octet<F>(row, oct, nvalid, v);
                    pairs_to_lanes(v, lanes[h]);
                    for (int u = 0; u < 8; u++) lanes[h][u] = _mm256_xor_si256(lanes[h][u], flip);
                    dw[h] = nvalid ? load_dw<F>(row, oct, nvalid) : _mm256_setzero_ps();
                    mw[h] = F::kind == kAsym4 && nvalid ? load_mw<F>(row, oct, nvalid) : _mm256_setzero_ps();
                }
                for (int u = 0; u < 8; u++) t.v[r][p][u] = concat(lanes[0][u], lanes[1][u]);
                t.dw[r][p] = concat(dw[0], dw[1]);
                t.mw[r][p] = concat(mw[0], mw[1]);
            }
        }
    }

    // TX x rows from i0 against the tile; adds each (x row, weight row) sum into out[i][r].
    template <class F, int TX>
    VG_INLINE static void rows(const Tile &tile, const GemmActs &acts, int64_t i0, int64_t oct0, int64_t noct,
                               float (*out)[R]) {
        constexpr int corr_shift = F::kind == kInt8 ? 7 : 3;  // D loses 128 (int8) or 8 (int4_sym) * qsum
        __m512 acc[R][TX];
        for (int r = 0; r < R; r++)
            for (int i = 0; i < TX; i++) acc[r][i] = _mm512_setzero_ps();
        for (int64_t p = 0; 2 * p < noct; p++) {
            const bool two = 2 * p + 1 < noct;
            const __mmask16 half = two ? 0xffff : 0x00ff;
            int64_t at[TX];  // the pair's first block in row i0 + i of d, qsum, s (and / 32, of q)
            for (int i = 0; i < TX; i++) at[i] = (i0 + i) * acts.nbp + 8 * (oct0 + 2 * p);
            __m512i sum[R][TX];
            for (int r = 0; r < R; r++)
                for (int i = 0; i < TX; i++) sum[r][i] = _mm512_setzero_si512();
            for (int u = 0; u < 8; u++) {
                __m512i x[TX];
                for (int i = 0; i < TX; i++) {
                    const int8_t *q = acts.q + at[i] * 32 + 32 * u;
                    const __m256i lo = _mm256_load_si256((const __m256i *)q);
                    x[i] = two ? concat(lo, _mm256_load_si256((const __m256i *)(q + 256))) : _mm512_zextsi256_si512(lo);
                }
                for (int r = 0; r < R; r++) {
                    const __m512i v = _mm512_load_si512(&tile.v[r][p][u]);
                    for (int i = 0; i < TX; i++) sum[r][i] = _mm512_dpbusd_epi32(sum[r][i], v, x[i]);
                }
            }
            for (int i = 0; i < TX; i++) {
                const __m512 dx = _mm512_maskz_loadu_ps(half, acts.d + at[i]);
                const __m512i corr = F::kind == kAsym4 ? _mm512_setzero_si512()
                                                       : _mm512_slli_epi32(_mm512_maskz_loadu_epi32(half, acts.qsum + at[i]), corr_shift);
                const __m512 s = F::kind == kAsym4 ? _mm512_maskz_loadu_ps(half, acts.s + at[i]) : _mm512_setzero_ps();
                for (int r = 0; r < R; r++) {
                    const __m512 d = _mm512_cvtepi32_ps(_mm512_sub_epi32(sum[r][i], corr));
                    acc[r][i] = _mm512_fmadd_ps(_mm512_mul_ps(d, dx), tile.dw[r][p], acc[r][i]);
                    if (F::kind == kAsym4) acc[r][i] = _mm512_fmadd_ps(tile.mw[r][p], s, acc[r][i]);
                }
            }
        }
        for (int i = 0; i < TX; i++)
            for (int r = 0; r < R; r += 4) {
                const __m128 s = hsum4(fold(acc[r][i]), fold(acc[r + 1][i]), fold(acc[r + 2][i]), fold(acc[r + 3][i]));
                _mm_storeu_ps(out[i] + r, _mm_add_ps(_mm_loadu_ps(out[i] + r), s));
            }
    }
};

}  // namespace avx2g
}  // namespace

void gemm_int_avx512(const GemmArgs &a, int64_t n0, int64_t n1) {
    using namespace avx2g;
    const GemmActs acts = gemm_acts(a.scratch, a.m, a.k);
    if (!acts.lanes) return gemm_int_avx2(a, n0, n1);  // M <= kGemmPairsMaxM
    if (a.format == VANE_FORMAT_Q4_0_X8) return gemm_q4_0x8_tiles<Avx512Tiles>(a, acts, n0, n1);
    with_int_fmt(a.format, [&](auto f) { gemm_tiles<decltype(f), Avx512Tiles>(a, acts, n0, n1); });
}

}  // namespace vane
