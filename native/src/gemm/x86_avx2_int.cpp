// AVX2 kernels of the GEMM family for the integer weight formats (compiled with -mavx2 -mfma
// -mf16c, like every x86_avx2* unit; internal linkage but for gemm_int_avx2, see x86_avx2.h).
//
// Integer formats: the semantics of ref.cpp (docs/FORMATS.md, "GEMM"), computed in another
// order, on the activations of the shared prepare step (gemm.h: scales in octet slot order
// 0 2 4 6 1 3 5 7; q in pairs of blocks for M <= 8, in lanes above). The work goes by octets
// of 8 activation blocks (256 elements). The integer part is exact; the f32 part rounds twice per
// block and sums in another order than ref.cpp, within the bound test_gemm states. In both paths:
//   - int4_sym and q4_0 use the codes c as they are and subtract 8 * qsum (their values: c - 8);
//   - acc += float(D) * d_x * d_w in 8 f32 lanes (D: the octet's exact int32 dot products in
//     slot order); int4_asym also acc += m * s; y = the sum of the lanes + bias.
//
// M <= 8 (GEMV and small batches) streams the weights, 4 rows at a time, decoding each code once
// in registers for up to 4 rows of x (one pass per 4 rows of x), prefetching the weight rows two
// tiles ahead. Per weight row and octet:
//   - the codes of each pair of blocks (2p, 2p + 1) become two vectors, elements 0..15 and
//     16..31 of both blocks (block 2p in the low 128 bits), matching x's pair layout;
//   - int4: vpmaddubsw(code 0..15, q) of both halves added (int16, |.| <= 4 * 15 * 127 = 7620),
//     vphaddw of two pairs (|.| <= 15240), vpmaddwd with ones, and one vphaddd give D;
//   - int8: |w| and sign(q, w) into vpmaddubsw (|pair| <= 2 * 128 * 127, no saturation),
//     vpmaddwd with ones, three vphaddd.
// M > 8 decodes a tile of 8 weight rows x kKc columns into x's lane layout once per block of x
// rows, and runs those x rows against it 2 at a time, with no horizontal step (see below).
// Batch invariance (continuous batching needs row i of y the same whatever M is): both paths sum
// a row in one order, the canonical one of x86_int_blocks.h (8 slot lanes per slice of
// kSliceCols columns, hsum4, slices added in order, then the bias); q4_0x8 runs the GEMV kernel
// for every M (one f32 chain per row over the blocks in order).
#include "gemm/x86_avx2.h"
#include "gemm/x86_avx2_common.h"
#include "gemm/x86_int_blocks.h"
#include "vane.h"

namespace vane {

namespace {
namespace avx2g {

// ---- the integer core --------------------------------------------------------------------------

// D of one octet (weight row x x row): int32 dot products in slot order. v: the codes in the pair
// layout; a: |v| for int8 (unused for int4); x: the x row's q at the octet.
template <class F>
VG_INLINE __m256i dot_octet(const __m256i v[4][2], const __m256i a[4][2], const int8_t *x) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i s[4];
    for (int p = 0; p < 4; p++) {
        const __m256i x0 = _mm256_load_si256((const __m256i *)(x + 64 * p));
        const __m256i x1 = _mm256_load_si256((const __m256i *)(x + 64 * p + 32));
        if (F::kind == kInt8) {
            s[p] = _mm256_add_epi32(_mm256_madd_epi16(_mm256_maddubs_epi16(a[p][0], _mm256_sign_epi8(x0, v[p][0])), ones),
                                    _mm256_madd_epi16(_mm256_maddubs_epi16(a[p][1], _mm256_sign_epi8(x1, v[p][1])), ones));
        } else {
            s[p] = _mm256_add_epi16(_mm256_maddubs_epi16(v[p][0], x0), _mm256_maddubs_epi16(v[p][1], x1));
        }
    }
    if (F::kind == kInt8)
        return _mm256_hadd_epi32(_mm256_hadd_epi32(s[0], s[1]), _mm256_hadd_epi32(s[2], s[3]));
    return _mm256_hadd_epi32(_mm256_madd_epi16(_mm256_hadd_epi16(s[0], s[1]), ones),
                             _mm256_madd_epi16(_mm256_hadd_epi16(s[2], s[3]), ones));
}

// What an octet needs from one x row.
struct XOct {
    const int8_t *q;  // 8 blocks of q
    __m256 dx;        // d_x in slot order
    __m256i corr;     // int4_sym: 8 * qsum
    __m256 s;         // int4_asym: s
};

template <class F>
VG_INLINE XOct x_oct(const GemmActs &acts, int64_t i, int64_t oct) {
    XOct o;
    const int64_t b = i * acts.nbp + 8 * oct;  // octets are whole in both layouts
    o.q = acts.q + b * 32;
    o.dx = _mm256_load_ps(acts.d + b);
    o.corr = F::kind == kSym4 ? _mm256_slli_epi32(_mm256_load_si256((const __m256i *)(acts.qsum + b)), 3)
                              : _mm256_setzero_si256();
    o.s = F::kind == kAsym4 ? _mm256_load_ps(acts.s + b) : _mm256_setzero_ps();
    return o;
}

// acc += an octet's contribution of one (weight row, x row), given its D.
template <class F>
VG_INLINE __m256 accumulate(__m256 acc, __m256i d, const XOct &x, __m256 dw, __m256 mw) {
    if (F::kind == kSym4) d = _mm256_sub_epi32(d, x.corr);
    acc = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(d), x.dx), dw, acc);
    if (F::kind == kAsym4) acc = _mm256_fmadd_ps(mw, x.s, acc);
    return acc;
}

// ---- GEMV (m <= kGemmPairsMaxM) -------------------------------------------------------------

constexpr int kGemvRows = 4;

// One weight row's octet against the T x rows.
template <class F, int T>
VG_INLINE void gemv_oct_row(const uint8_t *row, const XOct x[T], int64_t oct, int nvalid, __m256 acc[T]) {
    __m256i v[4][2], a[4][2];
    load_octet<F>(row, oct, nvalid, v);
    if (F::kind == kInt8)
        for (int p = 0; p < 4; p++)
            for (int h = 0; h < 2; h++) a[p][h] = _mm256_abs_epi8(v[p][h]);
    const __m256 dw = load_dw<F>(row, oct, nvalid);
    const __m256 mw = F::kind == kAsym4 ? load_mw<F>(row, oct, nvalid) : _mm256_setzero_ps();
    for (int t = 0; t < T; t++) acc[t] = accumulate<F>(acc[t], dot_octet<F>(v, a, x[t].q), x[t], dw, mw);
}

// One octet of R weight rows against the T x rows (nvalid of its 8 act blocks hold data): each
// weight code is decoded once and used for every x row.
template <class F, int R, int T>
VG_INLINE void gemv_oct(const uint8_t *const rows[R], const GemmActs &acts, int64_t oct, int nvalid, __m256 acc[R][T]) {
    XOct x[T];
    for (int t = 0; t < T; t++) x[t] = x_oct<F>(acts, t, oct);
    if (T == 1) {
        // Unrolled over the rows for m = 1, the case that matters most (20-30% faster; for
        // m > 1 the unrolled code only multiplies the compile time).
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) gemv_oct_row<F, T>(rows[r], x, oct, nvalid, acc[r]);
    } else {
        for (int r = 0; r < R; r++) gemv_oct_row<F, T>(rows[r], x, oct, nvalid, acc[r]);
    }
}

// R weight rows from row j0 against the T x rows, octets [o0, o1) (one slice of k).
template <class F, int R, int T>
VG_INLINE void gemv_rows(const GemmArgs &a, const GemmActs &acts, int64_t j0, int64_t o0, int64_t o1, __m256 acc[R][T]) {
    const int64_t row_bytes = a.k / F::g * F::bytes;
    const uint8_t *rows[R];
    for (int r = 0; r < R; r++) {
        rows[r] = (const uint8_t *)a.w + (j0 + r) * row_bytes;
        for (int t = 0; t < T; t++) acc[r][t] = _mm256_setzero_ps();
    }
    const int64_t nb = a.k / 32;
    // The R rows kPrefetchTiles tiles ahead are contiguous: spread their lines over this tile's
    // octets (prefetches past the matrix are harmless: they never fault).
    const char *pf = (const char *)a.w + (j0 + kPrefetchTiles * R) * row_bytes;
    constexpr int64_t pf_step = R * (256 / F::g) * F::bytes;  // bytes of R rows per octet
    const int64_t full_end = nb / 8 < o1 ? nb / 8 : o1;  // the whole octets, then a partial one
    for (int64_t oct = o0; oct < full_end; oct++) {
        for (int64_t o = 0; o < pf_step; o += 64) _mm_prefetch(pf + oct * pf_step + o, _MM_HINT_T1);
        gemv_oct<F, R, T>(rows, acts, oct, 8, acc);
    }
    if (full_end < o1) gemv_oct<F, R, T>(rows, acts, full_end, (int)(nb % 8), acc);
}

// y for T (= m, at most kGemvMaxM) rows of x, streaming the weights once. For batch invariance
// the sums go as the tiles' (gemm_tiles): per slice of kSliceOcts octets, the lanes summed by
// hsum4, the slices' sums added in order, then the bias.
template <class F, int T>
void gemv(const GemmArgs &a, const GemmActs &acts, int64_t n0, int64_t n1) {
    const int64_t noct = (a.k / 32 + 7) / 8;
    int64_t j = n0;
    for (; j + kGemvRows <= n1; j += kGemvRows) {
        __m128 y[T];
        for (int t = 0; t < T; t++) y[t] = _mm_setzero_ps();
        for (int64_t o0 = 0; o0 < noct; o0 += kSliceOcts) {
            __m256 acc[kGemvRows][T];
            gemv_rows<F, kGemvRows, T>(a, acts, j, o0, o0 + kSliceOcts < noct ? o0 + kSliceOcts : noct, acc);
            for (int t = 0; t < T; t++) y[t] = _mm_add_ps(y[t], hsum4(acc[0][t], acc[1][t], acc[2][t], acc[3][t]));
        }
        for (int t = 0; t < T; t++) {
            if (a.bias) y[t] = _mm_add_ps(y[t], _mm_loadu_ps(a.bias + j));
            _mm_storeu_ps(a.y + t * a.ldy + j, y[t]);
        }
    }
    for (; j < n1; j++) {
        float y[T] = {};
        for (int64_t o0 = 0; o0 < noct; o0 += kSliceOcts) {
            __m256 acc[1][T];
            gemv_rows<F, 1, T>(a, acts, j, o0, o0 + kSliceOcts < noct ? o0 + kSliceOcts : noct, acc);
            const __m256 z = _mm256_setzero_ps();
            for (int t = 0; t < T; t++) y[t] += _mm_cvtss_f32(hsum4(acc[0][t], z, z, z));  // hsum4's tree, as the 4-row case
        }
        for (int t = 0; t < T; t++) a.y[t * a.ldy + j] = y[t] + (a.bias ? a.bias[j] : 0.0f);
    }
}

// ---- GEMM (m > kGemmPairsMaxM) --------------------------------------------------------------
//
// x is in the lane layout (gemm.h): vector v of an octet holds elements 4v .. 4v + 3 of each of
// its 8 blocks, 4 bytes per block in slot order. A tile of kR weight rows x kKc columns is decoded
// into the same layout once (a 4 x 4 transpose of 32-bit groups per 128-bit lane of the pair
// layout), so vpmaddubsw of a weight vector and an x vector leaves each block's products in its
// own 32-bit lane: an octet is 8 vpmaddubsw + 8 adds (int16: at most 8 * 2 * 15 * 127 = 30480
// for int4) per (weight row, x row), then one vpmaddwd with ones gives D in slot order, with no
// horizontal step. int8 weights use |w| and sign(q, w) and add in int32 (vpmaddwd per step).

// The tiles of gemm_tiles (x86_int_blocks.h). 8 x 2 measured best on the EPYC VM (q4_0, one
// thread, tile in L1: 8x2 171 Gop/s, 4x1 162, 4x2 162, 4x3 164, 8x1 131; fully unrolled octets 144).
struct Avx2Tiles {
    static constexpr int R = 8;           // weight rows per tile (a multiple of 4)
    static constexpr int T = 2;           // x rows per micro-tile
    static constexpr int64_t Kc = kSliceCols;  // columns per tile: the slice of batch invariance
    static constexpr int64_t Mb = 256;         // x rows per block
    static constexpr int kOcts = Kc / 256;

    // A tile of R weight rows x Kc columns, decoded into the lane layout, scales per octet in
    // slot order. Rows past the matrix and blocks past k hold zeros.
    struct alignas(32) Tile {
        __m256i v[R][kOcts][8];  // int4: codes 0..15; int8: the values (|v| taken in rows(): the tile
                                 // of a 4096-column slice is 32 KB without it, 64 KB with it)
        __m256 dw[R][kOcts];
        __m256 mw[R][kOcts];  // int4_asym
    };

    template <class F>
    static void unpack(const GemmArgs &a, int64_t j0, int64_t oct0, int64_t noct, Tile &t) {
        const int64_t row_bytes = a.k / F::g * F::bytes;
        const int64_t nb = a.k / 32;
        for (int r = 0; r < R; r++) {
            const bool real = j0 + r < a.n;
            const uint8_t *row = (const uint8_t *)a.w + (j0 + r) * row_bytes;
            for (int64_t o = 0; o < noct; o++) {
                const int64_t oct = oct0 + o;
                const int nvalid = !real ? 0 : nb - 8 * oct >= 8 ? 8 : (int)(nb - 8 * oct);
                __m256i v[4][2];
                load_octet<F>(row, oct, nvalid, v);
                pairs_to_lanes(v, t.v[r][o]);
                t.dw[r][o] = nvalid ? load_dw<F>(row, oct, nvalid) : _mm256_setzero_ps();
                t.mw[r][o] = F::kind == kAsym4 && nvalid ? load_mw<F>(row, oct, nvalid) : _mm256_setzero_ps();
            }
        }
    }

    // TX x rows from i0 against the tile; adds each (x row, weight row) sum into out[i][r].
    template <class F, int TX>
    VG_INLINE static void rows(const Tile &tile, const GemmActs &acts, int64_t i0, int64_t oct0, int64_t noct,
                               float (*out)[R]) {
        const __m256i ones = _mm256_set1_epi16(1);
        __m256 acc[R][TX];
        for (int r = 0; r < R; r++)
            for (int i = 0; i < TX; i++) acc[r][i] = _mm256_setzero_ps();
        for (int64_t o = 0; o < noct; o++) {
            const int8_t *xq[TX];
            for (int i = 0; i < TX; i++) xq[i] = acts.q + ((i0 + i) * acts.nbp + 8 * (oct0 + o)) * 32;
            __m256i sum[R][TX];
            for (int r = 0; r < R; r++)
                for (int i = 0; i < TX; i++) sum[r][i] = _mm256_setzero_si256();
#pragma GCC unroll 1  // unrolled, GCC 12 spills the sums (10% slower)
            for (int u = 0; u < 8; u++) {
                __m256i x[TX];
                for (int i = 0; i < TX; i++) x[i] = _mm256_load_si256((const __m256i *)(xq[i] + 32 * u));
#pragma GCC unroll 4
                for (int r = 0; r < R; r++) {
                    const __m256i v = _mm256_load_si256(&tile.v[r][o][u]);
                    if (F::kind == kInt8) {
                        const __m256i av = _mm256_abs_epi8(v);
                        for (int i = 0; i < TX; i++)
                            sum[r][i] = _mm256_add_epi32(
                                sum[r][i], _mm256_madd_epi16(_mm256_maddubs_epi16(av, _mm256_sign_epi8(x[i], v)), ones));
                    } else {
                        for (int i = 0; i < TX; i++)
                            sum[r][i] = _mm256_add_epi16(sum[r][i], _mm256_maddubs_epi16(v, x[i]));
                    }
                }
            }
            XOct xo[TX];
            for (int i = 0; i < TX; i++) xo[i] = x_oct<F>(acts, i0 + i, oct0 + o);
            for (int r = 0; r < R; r++)
                for (int i = 0; i < TX; i++) {
                    const __m256i d = F::kind == kInt8 ? sum[r][i] : _mm256_madd_epi16(sum[r][i], ones);
                    acc[r][i] = accumulate<F>(acc[r][i], d, xo[i], tile.dw[r][o], tile.mw[r][o]);
                }
        }
        for (int i = 0; i < TX; i++)
            for (int r = 0; r < R; r += 4) {
                const __m128 s = hsum4(acc[r][i], acc[r + 1][i], acc[r + 2][i], acc[r + 3][i]);
                _mm_storeu_ps(out[i] + r, _mm_add_ps(_mm_loadu_ps(out[i] + r), s));
            }
    }
};

// M <= kGemmPairsMaxM (q4_0x8: any M): pass(part, acts of those rows, t) over x in passes of t <= 4
// rows (each weight decoded once per pass), part's y starting at the pass's first row.
template <class Pass>
VG_INLINE void small_batch_passes(const GemmArgs &a, const GemmActs &acts, Pass pass) {
    for (int64_t i0 = 0; i0 < a.m; i0 += 4) {
        GemmArgs part = a;
        part.y = a.y + i0 * a.ldy;
        GemmActs pa = acts;
        pa.q += i0 * acts.nbp * 32;
        pa.d += i0 * acts.nbp;
        pa.qsum += i0 * acts.nbp;
        pa.s += i0 * acts.nbp;
        pass(part, pa, (int)(a.m - i0 < 4 ? a.m - i0 : 4));
    }
}

template <class F>
void gemm_int(const GemmArgs &a, int64_t n0, int64_t n1) {
    const GemmActs acts = gemm_acts(a.scratch, a.m, a.k);
    if (!acts.lanes) {  // m <= kGemmPairsMaxM: x in pairs
        small_batch_passes(a, acts, [&](const GemmArgs &part, const GemmActs &pa, int t) {
            switch (t) {
                case 1: gemv<F, 1>(part, pa, n0, n1); break;
                case 2: gemv<F, 2>(part, pa, n0, n1); break;
                case 3: gemv<F, 3>(part, pa, n0, n1); break;
                default: gemv<F, 4>(part, pa, n0, n1); break;
            }
        });
    } else {
        gemm_tiles<F, Avx2Tiles>(a, acts, n0, n1);
    }
}

// ---- q4_0x8: 8 weight rows interleaved (vane.h) ---------------------------------------------
//
// M <= 8: the lanes of an accumulator are the 8 rows of a group, so the 8 scales are one load
// and one vcvtph2ps and no horizontal step is needed. Per block (32 columns) and group, chunk j
// of the codes (32 bytes) gives elements 4j..4j+3 (low nibbles) and 4j+16..4j+19 (high) of all
// 8 rows; vpmaddubsw against those 4 elements of x broadcast to every lane, summed over the 4
// chunks in int16 (|.| <= 8 * 2 * 15 * 127 = 30480), then vpmaddwd with ones: D of the 8 rows,
// less 8 * qsum (the codes are c + 8). A prototype with the weights in L2 ran 29-36 GB/s per
// core against 17 for the q4_0 kernel above (one thread, W [256, 4096]).
// M > 8 too (batch invariance: the tiles would sum in another order), in passes of 4 rows of x.

// G groups (from g0) against T rows of x: acc[u][t] lanes = rows 8 (g0 + u) .. + 7.
template <int G, int T>
VG_INLINE void gemv_x8_groups(const GemmArgs &a, const GemmActs &acts, int64_t g0, __m256 acc[G][T]) {
    const int64_t nb = a.k / 32;
    const uint8_t *base = (const uint8_t *)a.w + g0 * nb * 144;
    const __m256i m4 = _mm256_set1_epi8(0x0f), ones = _mm256_set1_epi16(1);
    for (int u = 0; u < G; u++)
        for (int t = 0; t < T; t++) acc[u][t] = _mm256_setzero_ps();
    // The groups kPrefetchTiles tiles ahead (contiguous after these), into L2, spread over the
    // blocks as in the q4_0 GEMV.
    const char *pf = (const char *)base + kPrefetchTiles * G * nb * 144;
    for (int64_t b = 0; b < nb; b++) {
        for (int o = 0; o < G * 144; o += 64) _mm_prefetch(pf + b * G * 144 + o, _MM_HINT_T1);
        __m256i s[G][T];
        for (int u = 0; u < G; u++)
            for (int t = 0; t < T; t++) s[u][t] = _mm256_setzero_si256();
        for (int j = 0; j < 4; j++) {
            __m256i xl[T], xh[T];
            for (int t = 0; t < T; t++) {
                const int8_t *q = acts.q + t * acts.nbp * 32;
                int32_t l, h;
                memcpy(&l, q + act_q_offset(b, 4 * j, acts.lanes), 4);
                memcpy(&h, q + act_q_offset(b, 16 + 4 * j, acts.lanes), 4);
                xl[t] = _mm256_set1_epi32(l);
                xh[t] = _mm256_set1_epi32(h);
            }
            for (int u = 0; u < G; u++) {
                const uint8_t *p = base + (u * nb + b) * 144;
                const __m256i c = _mm256_loadu_si256((const __m256i *)(p + 16 + 32 * j));
                const __m256i lo = _mm256_and_si256(c, m4), hi = _mm256_and_si256(_mm256_srli_epi16(c, 4), m4);
                for (int t = 0; t < T; t++)
                    s[u][t] = _mm256_add_epi16(s[u][t], _mm256_add_epi16(_mm256_maddubs_epi16(lo, xl[t]),
                                                                         _mm256_maddubs_epi16(hi, xh[t])));
            }
        }
        for (int u = 0; u < G; u++) {
            const __m256 dw = _mm256_cvtph_ps(load16(base + (u * nb + b) * 144));
            for (int t = 0; t < T; t++) {
                const int64_t slot = t * acts.nbp + act_slot(b);
                const __m256i d = _mm256_sub_epi32(_mm256_madd_epi16(s[u][t], ones), _mm256_set1_epi32(8 * acts.qsum[slot]));
                acc[u][t] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(d), _mm256_set1_ps(acts.d[slot])), dw, acc[u][t]);
            }
        }
    }
}

template <int G, int T>
VG_INLINE void gemv_x8_store(const GemmArgs &a, int64_t g, __m256 acc[G][T]) {
    for (int u = 0; u < G; u++) {
        const int64_t j = 8 * (g + u);
        const __m256 bias = a.bias ? _mm256_loadu_ps(a.bias + j) : _mm256_setzero_ps();
        for (int t = 0; t < T; t++) _mm256_storeu_ps(a.y + t * a.ldy + j, _mm256_add_ps(acc[u][t], bias));
    }
}

// Rows [n0, n1) (multiples of 8) against T rows of x: G groups at a time, one at a time at the
// end. One group for T = 1: its weights are one sequential stream, which the memory system
// serves faster than 4 interleaved ones (A/B in one session, matrices far larger than the
// caches, 2 threads: [2048, 2048] 24-30 GB/s against 16-23, [5632, 2048] 25-30 against 22-24).
template <int T>
void gemv_x8(const GemmArgs &a, const GemmActs &acts, int64_t n0, int64_t n1) {
    constexpr int G = T == 2 ? 2 : 1;
    int64_t g = n0 / 8;
    for (; g + G <= n1 / 8; g += G) {
        __m256 acc[G][T];
        gemv_x8_groups<G, T>(a, acts, g, acc);
        gemv_x8_store<G, T>(a, g, acc);
    }
    for (; g < n1 / 8; g++) {
        __m256 acc[1][T];
        gemv_x8_groups<1, T>(a, acts, g, acc);
        gemv_x8_store<1, T>(a, g, acc);
    }
}

// Any M goes through gemv_x8 in passes of up to 4 rows (no tiles: batch invariance, each row of
// y summed in one order whatever M is).
void gemm_q4_0x8(const GemmArgs &a, int64_t n0, int64_t n1) {
    const GemmActs acts = gemm_acts(a.scratch, a.m, a.k);
    small_batch_passes(a, acts, [&](const GemmArgs &part, const GemmActs &pa, int t) {
        switch (t) {
            case 1: gemv_x8<1>(part, pa, n0, n1); break;
            case 2: gemv_x8<2>(part, pa, n0, n1); break;
            case 3: gemv_x8<3>(part, pa, n0, n1); break;
            default: gemv_x8<4>(part, pa, n0, n1); break;
        }
    });
}

}  // namespace avx2g
}  // namespace

void gemm_int_avx2(const GemmArgs &a, int64_t n0, int64_t n1) {
    using namespace avx2g;
    if (a.format == VANE_FORMAT_Q4_0_X8) return gemm_q4_0x8(a, n0, n1);
    // x86_avx2.cpp sends only the integer formats here.
    with_int_fmt(a.format, [&](auto f) { gemm_int<decltype(f)>(a, n0, n1); });
}

}  // namespace vane
