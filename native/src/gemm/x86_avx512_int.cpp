// AVX-512 GEMM of the integer weight formats for M > kGemmPairsMaxM, and of q4_0x8 for M >= 3
// (further down) (compiled with the AVX-512 flags; internal linkage but for
// gemm_int_avx512). The semantics of ref.cpp, on the shared prepare step's activations (gemm.h),
// the GEMM as the AVX2 tiles compute it (x86_avx2_int.cpp), bit for bit (batch invariance: the
// one order of x86_int_blocks.h, which the AVX2 GEMV for M <= 8 follows too), with two
// differences:
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
#include "gemm/x86_avx512_x8_pairs.h"
#include "gemm/x86_int_blocks.h"
#include "vane.h"

namespace vane {

namespace {
namespace avx2g {

VG_INLINE __m512i concat(__m256i lo, __m256i hi) { return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1); }
VG_INLINE __m512 concat(__m256 lo, __m256 hi) { return _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1); }

// The tiles of gemm_tiles (x86_int_blocks.h). Sizes measured on a 2-vCPU Zen 5, q4_0 / q8_0 at
// m = 512, n = k = 4096, 2 threads: R8 T2 Kc1024 Mb256 22.0 / 22.6 ms; R4 T3 27.9; R8 T3 43.2 and
// R16 T1 38.3 (register spills); Kc2048 Mb128 22.3; Kc4096 Mb128 18.5 / 19.0 (52% of the int8
// ceiling); Mb64 18.7; Mb32 20.5. The AVX2 tiles take 50.2 / 61.8 ms.
struct Avx512Tiles {
    static constexpr int R = 8;          // weight rows per tile (a multiple of 4)
    static constexpr int T = 2;          // x rows per micro-tile
    static constexpr int64_t Kc = kSliceCols;  // columns per tile (a multiple of 512): the invariance slice
    static constexpr int64_t Mb = 128;  // x rows per block
    static constexpr int kPairs = Kc / 512;

    // R weight rows x Kc columns in pairs of octets of the lane layout; int8 values as w ^ 0x80.
    // Rows past the matrix, blocks past k and the missing octet of a last pair hold zeros.
    struct alignas(64) Tile {
        __m512i v[R][kPairs][8];
        __m256 dw[R][kPairs][2];  // octet 2p, 2p + 1 (halves: the f32 chain goes by octet)
        __m256 mw[R][kPairs][2];  // int4_asym
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
                for (int h = 0; h < 2; h++) {
                    t.dw[r][p][h] = dw[h];
                    t.mw[r][p][h] = mw[h];
                }
            }
        }
    }

    // TX x rows from i0 against the tile; adds each (x row, weight row) sum into out[i][r].
    template <class F, int TX>
    VG_INLINE static void rows(const Tile &tile, const GemmActs &acts, int64_t i0, int64_t oct0, int64_t noct,
                               float (*out)[R]) {
        constexpr int corr_shift = F::kind == kInt8 ? 7 : 3;  // D loses 128 (int8) or 8 (int4_sym) * qsum
        // 8 lanes per output, each a chain over the octets in order (batch invariance: the AVX2
        // GEMV's order, x86_int_blocks.h), so the two octets of a pair go in one after the other.
        __m256 acc[R][TX];
        for (int r = 0; r < R; r++)
            for (int i = 0; i < TX; i++) acc[r][i] = _mm256_setzero_ps();
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
                    const __m512 t = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(sum[r][i], corr)), dx);
                    acc[r][i] = _mm256_fmadd_ps(_mm512_castps512_ps256(t), tile.dw[r][p][0], acc[r][i]);
                    if (F::kind == kAsym4) acc[r][i] = _mm256_fmadd_ps(tile.mw[r][p][0], _mm512_castps512_ps256(s), acc[r][i]);
                    if (two) {
                        acc[r][i] = _mm256_fmadd_ps(_mm512_extractf32x8_ps(t, 1), tile.dw[r][p][1], acc[r][i]);
                        if (F::kind == kAsym4)
                            acc[r][i] = _mm256_fmadd_ps(tile.mw[r][p][1], _mm512_extractf32x8_ps(s, 1), acc[r][i]);
                    }
                }
            }
        }
        for (int i = 0; i < TX; i++)
            for (int r = 0; r < R; r += 4) {
                const __m128 s = hsum4(acc[r][i], acc[r + 1][i], acc[r + 2][i], acc[r + 3][i]);
                _mm_storeu_ps(out[i] + r, _mm_add_ps(_mm_loadu_ps(out[i] + r), s));
            }
    }
};

// ---- q4_0x8 with M <= kGemmPairsMaxM (decode and small batches) ----------------------------
//
// The weights stream once for all M rows of x (the AVX2 variant passes over them once per 4 rows
// of x) and vpdpbusd takes the 4-element dot products of 16 weight rows at once: a 512-bit vector
// holds chunk j of one block of two groups (g's 8 rows in lanes 0..7, g + 1's in 8..15). Chunk j
// of a block's codes (32 bytes: elements 4j..4j+3 in the low nibbles, 4j+16..4j+19 in the high
// ones, of all 8 rows; vane.h) meets the same 4 elements of x in every lane, so x is a dword
// broadcast straight from memory (vpdpbusd's {1to16} operand, no shuffle). D - 8 * qsum times
// d_x * d_w into an f32 accumulator per x row (each block rounds as in the AVX2 kernel). Per call
// and thread, x is first copied by octet (XOct), all T rows together, so the loop reads it at
// fixed offsets from one pointer. A last odd group is paired with itself.
//
// q4_0x8 [14336, 4096], weights from DRAM (gemm_bench gemv, 2-vCPU Zen 4, 2026-12-06, a noisy
// host; ms, this kernel / the AVX2 one): M = 1 at 1 thread 1.42 / 1.06 (two weight streams read
// slower than the AVX2 kernel's one); at 2 threads M = 1 / 2 / 4 / 8 1.06 / 1.06 / 1.07-1.24 /
// 1.9-2.2 against 1.08 / 1.08 / 1.84 / 3.17, and M = 16 3.9-4.3 against 6.3 for the tiles. With
// the weights in L2 (incache, M = 1) 14.4 us against 18.9. Hence M = 3..16 (kSmallX8MinM..Max),
// and above in passes of up to 16 rows (batch invariance; the tiles ran q4_0x8 as fast at M = 512
// and slower at M = 64, gemm_bench on a shared 2-vCPU Zen 4, 2026-12-07).
// M = 8 and 16 are compute-bound. A row of x and block take 8 vpdpbusd, a vpbroadcastd (the
// chain's start, -8 * qsum), vcvtdq2ps, vmulps and vfmadd: on Zen 4 (measured, 2026-12-07) the
// broadcasts and the conversion issue beside the vpdpbusd, but vmulps and vfmadd share its pipes
// (8 vpdpbusd + 2 FMA take 10 vpdpbusd times), so the float steps of batch invariance cap this
// loop at 80% of the int8 ceiling. Two vpdpbusd chains per row (the low nibbles' 4 and the high
// ones', added before the conversion: integer sums, so the result is the same bits as one
// chain): on a 2-vCPU Xeon (family 6 model 207, AVX-512 VNNI, 2 vpdpbusd a cycle, latency 5;
// 2026-12-07) one chain of 8 per row left the loop latency-bound, 56 us per 128 rows at M = 16
// with the weights in L2 (gemm_bench incache:16:256 and :1024, 44% of one thread's int8 peak), two chains 39.6 us
// (59%); four chains (three more vpaddd) 47 us. gemm_bench decode 25 16, M = 16: 2.75 -> 2.02 ms a
// layer, M = 64 10.5 -> 7.8 ms.
// A first version that held two blocks of one group per vector (x by lane shuffles, scales
// gathered in the loop) ran M = 8 at 2.7x its M = 1 time against 1.8x here.
// Octet o (blocks 8o..8o+7) of T rows of x: q as the prepare step left it (the 256 bytes of
// the octet in the pairs or the lanes layout, gemm.h), one row after the other, so the loop reads
// every operand at a fixed offset from one pointer per block (with 16 row pointers GCC ran out of
// registers). The former block-by-block spread (the 8 dwords of a block gathered into one
// struct) cost about 20% of M = 16 with the N chunks of run.cpp, each of which spread x again.
// The copy is made once per call, by the prepare step (small_x8_spread, after the shared one,
// into the scratch past the activations): copied per N chunk, as before, it took about 8% of
// M = 16 (gemm_bench decode, 2-vCPU Zen 4, 2026-12-07: 2.6 against 2.8-2.9 ms a layer).
template <int T>
struct XOct {
    int8_t q[T][256];
    int32_t corr[T][8];  // -8 * qsum, by slot (act_slot)
    float dx[T][8];
};
// XOct<T> is kXOctRowBytes * T bytes, row t's parts at fixed offsets (small_x8_spread writes
// rows one at a time, knowing T only at run time).
constexpr int64_t kXOctRowBytes = 256 + 32 + 32;
static_assert(sizeof(XOct<16>) == 16 * kXOctRowBytes && sizeof(XOct<3>) == 3 * kXOctRowBytes, "XOct layout");

// Byte offset of dword j (elements 4j..4j+3) of block 8o + bi in its row's 256 bytes of octet o.
template <bool Lanes>
VG_INLINE int x_dword(int bi, int j) {
    if (Lanes) return 32 * j + 4 * (int)(act_slot(bi) & 7);
    return 64 * (bi >> 1) + 16 * (bi & 1) + 32 * (j >> 2) + 4 * (j & 3);
}

// acc + the 4-byte dot products of w with *x in every lane: vpdpbusd with x an embedded
// broadcast ({1to16}). GCC emits _mm512_set1_epi32(*x) as a vpbroadcastd of its own instead,
// one more 512-bit instruction per vpdpbusd (144 to the 128 vpdpbusd of a block at T = 16).
VG_INLINE __m512i dpbusd_bcast(__m512i acc, __m512i w, const int32_t *x) {
    asm("vpdpbusd %2%{1to16%}, %1, %0" : "+v"(acc) : "v"(w), "m"(*x));
    return acc;
}

// Rows 8g..8g+7 (lanes 0..7) and 8h..8h+7 (lanes 8..15) against T rows of x.
template <int T, bool Lanes>
VG_INLINE void small_x8_groups(const GemmArgs &a, const XOct<T> *xo, int64_t g, int64_t h, __m512 acc[T]) {
    const int64_t nb = a.k / 32;
    const uint8_t *wg = (const uint8_t *)a.w + g * nb * 144, *wh = (const uint8_t *)a.w + h * nb * 144;
    const __m512i m4 = _mm512_set1_epi8(0x0f);
    for (int t = 0; t < T; t++) acc[t] = _mm512_setzero_ps();
    const char *pf = (const char *)wg + 2 * kPrefetchTiles * nb * 144;  // the next groups, into L2
    for (int64_t b = 0; b < nb; b++) {
        const uint8_t *bg = wg + b * 144, *bh = wh + b * 144;
        for (int o = 0; o < 288; o += 64) _mm_prefetch(pf + 2 * b * 144 + o, _MM_HINT_T1);
        __m512i w[8];  // chunk j's low nibbles in w[j], high in w[4 + j]
        for (int j = 0; j < 4; j++) {
            const __m512i c = concat(_mm256_loadu_si256((const __m256i *)(bg + 16 + 32 * j)),
                                     _mm256_loadu_si256((const __m256i *)(bh + 16 + 32 * j)));
            w[j] = _mm512_and_si512(c, m4);
            w[4 + j] = _mm512_and_si512(_mm512_srli_epi16(c, 4), m4);
        }
        const __m256i hd = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)bg)),
                                                   _mm_loadu_si128((const __m128i *)bh), 1);
        const __m512 dw = _mm512_cvtph_ps(hd);
        const XOct<T> &x = xo[b >> 3];
        const int bi = (int)(b & 7), slot = (int)(act_slot(bi) & 7);
        // Row t's dword j at q + 256 t + x_dword(0, j) (lanes: the block's slot moves it by 4 bytes;
        // pairs: by 16 and 64, as x_dword(bi, j) - x_dword(0, j)).
        const int8_t *q = x.q[0] + x_dword<Lanes>(bi, 0);
#pragma GCC unroll 16  // acc[] in registers (GCC leaves the loop rolled and acc[] in memory)
        for (int t = 0; t < T; t++) {
            // Two chains, the first from -8 * qsum.
            __m512i s = _mm512_set1_epi32(x.corr[t][slot]), s2 = _mm512_setzero_si512();
            for (int j = 0; j < 4; j++) {
                s = dpbusd_bcast(s, w[j], (const int32_t *)(q + 256 * t + x_dword<Lanes>(0, j)));
                s2 = dpbusd_bcast(s2, w[4 + j], (const int32_t *)(q + 256 * t + x_dword<Lanes>(0, 4 + j)));
            }
            const __m512 d = _mm512_cvtepi32_ps(_mm512_add_epi32(s, s2));
            acc[t] = _mm512_fmadd_ps(_mm512_mul_ps(d, _mm512_set1_ps(x.dx[t][slot])), dw, acc[t]);
        }
    }
}

// buf: the pass's x, nbp / 8 XOct<T> (small_x8_spread).
template <int T>
void small_x8(const GemmArgs &a, const GemmActs &acts, int64_t n0, int64_t n1, const void *buf) {
    const XOct<T> *xo = (const XOct<T> *)buf;
    for (int64_t g = n0 / 8; g < n1 / 8; g += 2) {
        const bool two = g + 1 < n1 / 8;
        __m512 acc[T];
        if (acts.lanes)
            small_x8_groups<T, true>(a, xo, g, two ? g + 1 : g, acc);
        else
            small_x8_groups<T, false>(a, xo, g, two ? g + 1 : g, acc);
        x8_pairs::store_pair(a, 0, T, g, two, acc);
    }
}

// This kernel for M >= kSmallX8MinM, in passes of at most kSmallX8MaxM rows of x (16
// accumulators and the 8 code vectors fit the 32 registers), sized evenly (M = 17: 9 and 8). No
// tiles for q4_0x8 (batch invariance: every M sums a row in the one order of gemv_x8 and this
// kernel, one f32 chain over the blocks).
constexpr int64_t kSmallX8MinM = 3, kSmallX8MaxM = 16;

void small_q4_0x8_pass(const GemmArgs &a, const GemmActs &acts, int64_t t, int64_t n0, int64_t n1, const void *buf) {
    switch (t) {
        case 3: return small_x8<3>(a, acts, n0, n1, buf);
        case 4: return small_x8<4>(a, acts, n0, n1, buf);
        case 5: return small_x8<5>(a, acts, n0, n1, buf);
        case 6: return small_x8<6>(a, acts, n0, n1, buf);
        case 7: return small_x8<7>(a, acts, n0, n1, buf);
        case 8: return small_x8<8>(a, acts, n0, n1, buf);
        case 9: return small_x8<9>(a, acts, n0, n1, buf);
        case 10: return small_x8<10>(a, acts, n0, n1, buf);
        case 11: return small_x8<11>(a, acts, n0, n1, buf);
        case 12: return small_x8<12>(a, acts, n0, n1, buf);
        case 13: return small_x8<13>(a, acts, n0, n1, buf);
        case 14: return small_x8<14>(a, acts, n0, n1, buf);
        case 15: return small_x8<15>(a, acts, n0, n1, buf);
        default: return small_x8<16>(a, acts, n0, n1, buf);
    }
}

// The spread x (XOct by pass, the passes one after the other: pass from row i0 at
// i0 * nbp / 8 * kXOctRowBytes), in the scratch past the shared prepare step's activations.
bool small_x8_handles(int32_t format, int64_t m, int64_t k) { return format == VANE_FORMAT_Q4_0_X8 && m >= kSmallX8MinM && k > 0; }
int64_t small_x8_spread_at(int32_t format, int64_t m, int64_t k) { return (gemm_scratch_bytes(format, m, k) + 63) / 64 * 64; }

// Rows of this pass (from row i0 of the call's m, passes - p passes left): sized evenly.
int64_t small_x8_pass_rows(int64_t m, int64_t i0, int64_t passes, int64_t p) { return (m - i0) / (passes - p); }

void small_q4_0x8(const GemmArgs &a, const GemmActs &acts, int64_t n0, int64_t n1) {
    const uint8_t *spread = (const uint8_t *)a.scratch + small_x8_spread_at(a.format, a.m, a.k);
    const int64_t passes = (a.m + kSmallX8MaxM - 1) / kSmallX8MaxM;
    for (int64_t p = 0, i0 = 0; p < passes; p++) {
        const int64_t t = small_x8_pass_rows(a.m, i0, passes, p);
        const void *buf = spread + i0 * (acts.nbp / 8) * kXOctRowBytes;
        GemmArgs part = a;
        part.y = a.y + i0 * a.ldy;
        GemmActs pa = acts;
        pa.q += i0 * acts.nbp * 32;
        pa.d += i0 * acts.nbp;
        pa.qsum += i0 * acts.nbp;
        pa.s += i0 * acts.nbp;
        small_q4_0x8_pass(part, pa, t, n0, n1, buf);
        i0 += t;
    }
}

// Rows [m0, m1) of x into their passes' XOct (small_q4_0x8), from the shared step's activations.
void small_x8_spread(const GemmArgs &a, int64_t m0, int64_t m1) {
    const GemmActs acts = gemm_acts(a.scratch, a.m, a.k);
    uint8_t *spread = (uint8_t *)a.scratch + small_x8_spread_at(a.format, a.m, a.k);
    const int64_t noct = acts.nbp / 8, passes = (a.m + kSmallX8MaxM - 1) / kSmallX8MaxM;
    for (int64_t p = 0, i0 = 0; p < passes; p++) {
        const int64_t t_rows = small_x8_pass_rows(a.m, i0, passes, p);
        uint8_t *pass = spread + i0 * noct * kXOctRowBytes;
        for (int64_t i = i0 > m0 ? i0 : m0; i < m1 && i < i0 + t_rows; i++) {
            const int64_t t = i - i0;
            for (int64_t o = 0; o < noct; o++) {
                uint8_t *oct = pass + o * t_rows * kXOctRowBytes;  // XOct<t_rows> number o
                const int64_t at = i * acts.nbp + 8 * o;
                memcpy(oct + 256 * t, acts.q + at * 32, 256);
                int32_t *corr = (int32_t *)(oct + 256 * t_rows) + 8 * t;
                float *dx = (float *)(oct + 288 * t_rows) + 8 * t;
                for (int s = 0; s < 8; s++) {
                    corr[s] = -8 * acts.qsum[at + s];
                    dx[s] = acts.d[at + s];
                }
            }
        }
        i0 += t_rows;
    }
}

}  // namespace avx2g
}  // namespace

int64_t gemm_int_avx512_scratch_bytes(int32_t format, int64_t m, int64_t k) {
    using namespace avx2g;
    if (!small_x8_handles(format, m, k)) return gemm_scratch_bytes(format, m, k);
    return small_x8_spread_at(format, m, k) + m * ((k / 32 + 7) / 8) * kXOctRowBytes;  // nbp / 8 octets a row
}

void gemm_int_avx512_prepare(const GemmArgs &a, int64_t m0, int64_t m1) {
    using namespace avx2g;
    gemm_prepare_avx512(a, m0, m1);
    if (small_x8_handles(a.format, a.m, a.k)) small_x8_spread(a, m0, m1);
}

void gemm_int_avx512(const GemmArgs &a, int64_t n0, int64_t n1) {
    using namespace avx2g;
    const GemmActs acts = gemm_acts(a.scratch, a.m, a.k);
    if (a.format == VANE_FORMAT_Q4_0_X8) {
        if (a.m >= kSmallX8MinM) return small_q4_0x8(a, acts, n0, n1);
        return gemm_int_avx2(a, n0, n1);  // M = 1, 2: the AVX2 kernel, in the same order
    }
    if (!acts.lanes) return gemm_int_avx2(a, n0, n1);  // M <= kGemmPairsMaxM
    with_int_fmt(a.format, [&](auto f) { gemm_tiles<decltype(f), Avx512Tiles>(a, acts, n0, n1); });
}

}  // namespace vane
