// AVX2 kernels of the GEMM family for the float weight formats: f32, f16, bf16 and FP8 E4M3
// (planar, one scale per row or per 128 x 128 tile). Compiled with -mavx2 -mfma -mf16c, like
// every x86_avx2* unit; internal linkage but for the functions x86_avx2.h declares.
//
// Each weight is decoded exactly and multiplied with x, as ref.cpp, with FMA into 8-lane
// accumulators (another summation order, within the bound of test_gemm).
//
// E4M3 codes decode by moving bits alone: (c & 0x80) << 24 | (c & 0x7f) << 20 are the f32 bits
// of the code's value * 2^-120 (E4M3's exponent bias is 7, f32's 127; the subnormal codes become
// f32 subnormals with the same mantissa, so the rule holds for every finite code). Per 8 weights
// that is a sign extension, a shift and a mask, against a conversion through F16C that measured
// 1.5x slower in cache (16.5 against 24.2 GB/s per core on the EPYC VM, 4 rows x 1024 columns).
// Products of weights that small with x would fall into f32's subnormal range, so when M <= 8 the
// prepare step multiplies each row of x by 2^s (exact), s such that max |x| * 2^s is in
// [2^63, 2^64): each product is then below 2^-47 (no overflow in any sum), the smallest nonzero
// weight times the largest x is 2^-66 (far from subnormal), and the sum is scaled back by
// 2^(120 - s) times the row's scale, in double. The decode makes the NaN codes (0x7f, 0xff) a
// finite 480 * 2^-120; the GEMV checks every code for them and gives NaN to a row that holds one,
// as ref.cpp's NaN weights do. The GEMM tiles (M > 8) decode each weight once per block of x
// rows, multiply by 2^120 and turn NaN codes into NaN, and read x as it is.
#include "gemm/x86_avx2.h"
#include "gemm/x86_avx2_common.h"
#include "vane.h"

namespace vane {

namespace {
namespace avx2g {

enum FKind { kF32, kF16, kBF16, kE4M3 };

template <FKind K>
struct FloatFmt {
    static constexpr int bytes = K == kF32 ? 4 : K == kE4M3 ? 1 : 2;
};

int64_t planar_offset(int64_t rows, int64_t cols) { return (rows * cols + 63) / 64 * 64; }

// ---- E4M3 decoding and the scaled x ------------------------------------------------------------

// Codes sign-extended to 32 bits -> f32 value * 2^-120 (NaN codes: 480 * 2^-120).
VG_INLINE __m256 e4m3_bits8(__m256i c) {
    return _mm256_castsi256_ps(_mm256_and_si256(_mm256_slli_epi32(c, 20), _mm256_set1_epi32((int)0x87f00000u)));
}

// 32 codes -> f32 value * 2^-120, as 4 vectors of the elements
//   {0..3, 16..19}, {4..7, 20..23}, {8..11, 24..27}, {12..15, 28..31}
// (byte and word unpacking work within 128-bit lanes): each code to the high byte of a 16-bit
// lane, an arithmetic shift right by 4 (sign-extended c << 4), the mask, then each 16-bit value
// to the high half of a 32-bit lane.
VG_INLINE void e4m3_decode32(__m256i c, __m256 w[4]) {
    const __m256i z = _mm256_setzero_si256(), m = _mm256_set1_epi16((short)0x87f0);
    const __m256i lo = _mm256_and_si256(_mm256_srai_epi16(_mm256_unpacklo_epi8(z, c), 4), m);  // 0..7 | 16..23
    const __m256i hi = _mm256_and_si256(_mm256_srai_epi16(_mm256_unpackhi_epi8(z, c), 4), m);  // 8..15 | 24..31
    w[0] = _mm256_castsi256_ps(_mm256_unpacklo_epi16(z, lo));
    w[1] = _mm256_castsi256_ps(_mm256_unpackhi_epi16(z, lo));
    w[2] = _mm256_castsi256_ps(_mm256_unpacklo_epi16(z, hi));
    w[3] = _mm256_castsi256_ps(_mm256_unpackhi_epi16(z, hi));
}

// bytewise max of (codes | 0x80) into seen: 0xff somewhere iff a NaN code (0x7f, 0xff) was seen.
VG_INLINE __m256i e4m3_note_nan(__m256i seen, __m256i codes) {
    return _mm256_max_epu8(seen, _mm256_or_si256(codes, _mm256_set1_epi8((char)0x80)));
}
VG_INLINE bool e4m3_saw_nan(__m256i seen) {
    return _mm256_movemask_epi8(_mm256_cmpeq_epi8(seen, _mm256_set1_epi8((char)0xff))) != 0;
}

// The prepare step's output for E4M3 with M <= kGemmPairsMaxM, in the call's scratch: the
// exponent s of each row (64 bytes), then the rows of x * 2^s, each kScaledXStride(k) floats,
// every whole group of 32 columns in decode32's order (0..3, 16..19, 4..7, 20..23, 8..11,
// 24..27, 12..15, 28..31), the last k % 32 columns in order.
constexpr int64_t kShiftBytes = 64;
int64_t scaled_x_stride(int64_t k) { return (k + 15) / 16 * 16; }

struct ScaledX {
    const float *x;  // row i at x + i * ldx
    int64_t ldx;
    const int32_t *shift;  // s of row i (null: x as given, s = 0)
};

bool scales_x(int32_t format, int64_t m);

ScaledX scaled_x(const GemmArgs &a) {
    if (!scales_x(a.format, a.m)) return {a.x, a.ldx, nullptr};
    const uint8_t *s = (const uint8_t *)a.scratch;
    return {(const float *)(s + kShiftBytes), scaled_x_stride(a.k), (const int32_t *)s};
}

VG_INLINE float hmax(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_max_ss(s, _mm_movehdup_ps(s)));
}

// Rows [m0, m1) of x into the scratch as ScaledX describes.
void prepare_scaled_x(const GemmArgs &a, int64_t m0, int64_t m1) {
    uint8_t *s = (uint8_t *)a.scratch;
    int32_t *shift = (int32_t *)s;
    for (int64_t i = m0; i < m1; i++) {
        const float *x = a.x + i * a.ldx;
        float *out = (float *)(s + kShiftBytes) + i * scaled_x_stride(a.k);
        __m256 amax = _mm256_setzero_ps();
        const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
        int64_t c = 0;
        bool finite = true;
        for (; c + 8 <= a.k; c += 8) amax = _mm256_max_ps(amax, _mm256_and_ps(_mm256_loadu_ps(x + c), abs_mask));
        float big = hmax(amax);
        for (; c < a.k; c++) big = __builtin_fabsf(x[c]) > big ? __builtin_fabsf(x[c]) : big;
        for (c = 0; c < a.k && finite; c++) finite = __builtin_isfinite(x[c]);
        // A NaN or an Inf: s = 0, IEEE arithmetic gives the non-finite result ref.cpp gives.
        int e = 0;
        if (finite && big > 0.0f) {
            e = 63 - __builtin_ilogbf(big);
            e = e > 126 ? 126 : e;  // max |x| < 2^-63: products may reach subnormals, errors far below 1e-30
        }
        shift[i] = e;
        const float f = __builtin_ldexpf(1.0f, e);
        const __m256 fv = _mm256_set1_ps(f);
        for (c = 0; c + 32 <= a.k; c += 32) {
            const __m256 v0 = _mm256_mul_ps(_mm256_loadu_ps(x + c), fv), v1 = _mm256_mul_ps(_mm256_loadu_ps(x + c + 8), fv);
            const __m256 v2 = _mm256_mul_ps(_mm256_loadu_ps(x + c + 16), fv), v3 = _mm256_mul_ps(_mm256_loadu_ps(x + c + 24), fv);
            _mm256_storeu_ps(out + c, _mm256_permute2f128_ps(v0, v2, 0x20));       // 0..3, 16..19
            _mm256_storeu_ps(out + c + 8, _mm256_permute2f128_ps(v0, v2, 0x31));   // 4..7, 20..23
            _mm256_storeu_ps(out + c + 16, _mm256_permute2f128_ps(v1, v3, 0x20));  // 8..11, 24..27
            _mm256_storeu_ps(out + c + 24, _mm256_permute2f128_ps(v1, v3, 0x31));  // 12..15, 28..31
        }
        for (; c < a.k; c++) out[c] = x[c] * f;
    }
}

// ---- decoding ------------------------------------------------------------------------------

// 8 weights at p -> f32 (E4M3: value * 2^-120, NaN codes not handled).
template <FKind K>
VG_INLINE __m256 decode8(const uint8_t *p) {
    if (K == kF32) return _mm256_loadu_ps((const float *)p);
    if (K == kF16) return _mm256_cvtph_ps(load16(p));
    if (K == kBF16) return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(load16(p)), 16));
    return e4m3_bits8(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}

// 32 weights at p -> f32 in the order ScaledX keeps x in (E4M3: decode32's; others in order).
template <FKind K>
VG_INLINE void decode32(const uint8_t *p, __m256 w[4]) {
    if (K == kE4M3) return e4m3_decode32(_mm256_loadu_si256((const __m256i *)p), w);
    for (int v = 0; v < 4; v++) w[v] = decode8<K>(p + 8 * v * FloatFmt<K>::bytes);
}

// One weight (scalar tails), E4M3 as value * 2^-120 like decode8 (NaN codes give NaN here).
template <FKind K>
VG_INLINE float decode1(const uint8_t *p) {
    if (K == kF32) return get_f32(p);
    uint16_t h;
    memcpy(&h, p, 2);
    if (K == kF16) return _cvtsh_ss(h);
    const uint8_t c = *p;
    if (K == kE4M3 && (c & 0x7f) == 0x7f) return __builtin_nanf("");
    const uint32_t u = K == kBF16 ? (uint32_t)h << 16 : (uint32_t)(c & 0x80) << 24 | (uint32_t)(c & 0x7f) << 20;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

// The factor that takes a row's sum (of decoded weights times scaled x) to y: the E4M3 scale
// times 2^(120 - s), in double (2^(120 - s) alone may exceed f32's range).
VG_INLINE double e4m3_factor(float scale, int32_t s) { return (double)scale * __builtin_ldexp(1.0, 120 - s); }

// ---- GEMV and small batches (M <= kGemmPairsMaxM) ------------------------------------------

// R weight rows (from j0) against T rows of x (ScaledX rows t0..t0 + T - 1), each weight decoded
// once; sums into out[r][t]. Columns go in spans (E4M3 with tiles: 128, each folded into `total`
// with its scale; else all k), 32 at a time, then 8, then one. pf: the R rows kPrefetchTiles tiles ahead
// (contiguous), prefetched into L2 spread over the steps (in one burst per span they slowed f32
// GEMV down).
template <FKind K, int R, int T>
VG_INLINE void gemv_float_rows(const GemmArgs &a, const ScaledX &xs, int64_t t0, int64_t j0, float out[R][T]) {
    constexpr int B = FloatFmt<K>::bytes;
    const int64_t k = a.k;
    const uint8_t *w = (const uint8_t *)a.w;
    const float *scales = (const float *)(w + planar_offset(a.n, k));
    const int64_t tiles_per_row = (k + 127) / 128;
    const bool tiled = a.format == VANE_FORMAT_FP8_E4M3_B128;
    const char *pf = (const char *)w + (j0 + kPrefetchTiles * R) * k * B;
    const float *x[T];
    for (int t = 0; t < T; t++) x[t] = xs.x + (t0 + t) * xs.ldx;
    // Two accumulators per (row, x row) when T = 1, to hide the FMA latency.
    constexpr int A = T == 1 ? 2 : 1;
    __m256 acc[R][T][A], total[R][T];
    float tail[R][T];
    __m256i nan[R];
    for (int r = 0; r < R; r++) {
        nan[r] = _mm256_setzero_si256();
        for (int t = 0; t < T; t++) {
            for (int u = 0; u < A; u++) acc[r][t][u] = _mm256_setzero_ps();
            total[r][t] = _mm256_setzero_ps();
            tail[r][t] = 0.0f;
        }
    }
    const int64_t span = tiled ? 128 : k;
    for (int64_t c0 = 0; c0 < k; c0 += span) {
        const int64_t c1 = c0 + span < k ? c0 + span : k;
        int64_t c = c0;
        for (; c + 32 <= c1; c += 32) {
            for (int o = 0; o < 32 * B * R; o += 64) _mm_prefetch(pf + c * B * R + o, _MM_HINT_T1);
            __m256 xv[T][4];
            for (int t = 0; t < T; t++)
                for (int v = 0; v < 4; v++) xv[t][v] = _mm256_loadu_ps(x[t] + c + 8 * v);
#pragma GCC unroll 4
            for (int r = 0; r < R; r++) {
                const uint8_t *p = w + ((j0 + r) * k + c) * B;
                if (K == kE4M3) nan[r] = e4m3_note_nan(nan[r], _mm256_loadu_si256((const __m256i *)p));
                __m256 wv[4];
                decode32<K>(p, wv);
                for (int v = 0; v < 4; v++)
                    for (int t = 0; t < T; t++)
                        acc[r][t][v % A] = _mm256_fmadd_ps(wv[v], xv[t][v], acc[r][t][v % A]);
            }
        }
        for (; c + 8 <= c1; c += 8)
            for (int r = 0; r < R; r++) {
                const uint8_t *p = w + ((j0 + r) * k + c) * B;
                if (K == kE4M3)  // 8 codes (a 64-bit load; the zero bytes above are not NaN codes)
                    nan[r] = e4m3_note_nan(nan[r], _mm256_zextsi128_si256(_mm_loadl_epi64((const __m128i *)p)));
                const __m256 wv = decode8<K>(p);
                for (int t = 0; t < T; t++) acc[r][t][0] = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x[t] + c), acc[r][t][0]);
            }
        for (; c < c1; c++)
            for (int r = 0; r < R; r++) {
                const float wv = decode1<K>(w + ((j0 + r) * k + c) * B);
                for (int t = 0; t < T; t++) tail[r][t] += wv * x[t][c];
            }
        if (tiled || c1 == k) {  // fold the span in, with its tile's scale
            for (int r = 0; r < R; r++) {
                const __m256 sc = _mm256_set1_ps(tiled ? scales[((j0 + r) / 128) * tiles_per_row + c0 / 128] : 1.0f);
                for (int t = 0; t < T; t++) {
                    __m256 s = _mm256_add_ps(acc[r][t][0], _mm256_set_ps(0, 0, 0, 0, 0, 0, 0, tail[r][t]));
                    if (A == 2) s = _mm256_add_ps(s, acc[r][t][A - 1]);
                    total[r][t] = _mm256_fmadd_ps(s, sc, total[r][t]);
                    for (int u = 0; u < A; u++) acc[r][t][u] = _mm256_setzero_ps();
                    tail[r][t] = 0.0f;
                }
            }
        }
    }
    for (int r = 0; r < R; r++) {
        const bool has_nan = K == kE4M3 && e4m3_saw_nan(nan[r]);
        for (int t = 0; t < T; t++) {
            const float sum = hsum(total[r][t]);
            out[r][t] = has_nan                   ? __builtin_nanf("")
                        : K != kE4M3              ? sum
                        : (float)((double)sum * e4m3_factor(tiled ? 1.0f : scales[j0 + r], xs.shift[t0 + t]));
        }
    }
}

// Rows [n0, n1) of W against T rows of x from t0: R rows at a time.
template <FKind K, int R, int T>
void gemv_float_pass(const GemmArgs &a, const ScaledX &xs, int64_t t0, int64_t n0, int64_t n1) {
    int64_t j = n0;
    for (; j + R <= n1; j += R) {
        float out[R][T];
        gemv_float_rows<K, R, T>(a, xs, t0, j, out);
        for (int r = 0; r < R; r++)
            for (int t = 0; t < T; t++) a.y[(t0 + t) * a.ldy + j + r] = out[r][t] + (a.bias ? a.bias[j + r] : 0.0f);
    }
    for (; j < n1; j++) {
        float out[1][T];
        gemv_float_rows<K, 1, T>(a, xs, t0, j, out);
        for (int t = 0; t < T; t++) a.y[(t0 + t) * a.ldy + j] = out[0][t] + (a.bias ? a.bias[j] : 0.0f);
    }
}

// GEMM for float formats: a tile of kFR weight rows x kFKc columns decoded to f32 (scales
// applied, exactly as ref.cpp's dequantization: decode(code) * scale), then kFT x rows at a time
// against it.
// 4 x 3 (12 FMA chains, 7 loads per 12 FMAs) measured best: f32, one thread, 64 x rows, tile in
// L1: 4x3 90 GFLOP/s (of 117), 8x1 77, 4x2 65, 8x2 60 (spills).
constexpr int kFR = 4, kFT = 3;
constexpr int64_t kFKc = 512;
constexpr int64_t kFMb = 128;

struct alignas(32) FloatTile {
    float w[kFR][kFKc];
};

// 8 E4M3 codes -> exact f32 values (NaN codes -> NaN).
VG_INLINE __m256 e4m3_exact8(const uint8_t *p) {
    const __m256i c = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p));
    const __m256 v = _mm256_mul_ps(e4m3_bits8(c), _mm256_set1_ps(0x1p120f));
    const __m256i is_nan = _mm256_cmpeq_epi32(_mm256_and_si256(c, _mm256_set1_epi32(0x7f)), _mm256_set1_epi32(0x7f));
    return _mm256_blendv_ps(v, _mm256_set1_ps(__builtin_nanf("")), _mm256_castsi256_ps(is_nan));
}

template <FKind K>
void unpack_float_tile(const GemmArgs &a, int64_t j0, int64_t c0, int64_t c1, FloatTile &t) {
    constexpr int B = FloatFmt<K>::bytes;
    const uint8_t *w = (const uint8_t *)a.w;
    const float *scales = (const float *)(w + planar_offset(a.n, a.k));
    const int64_t tiles_per_row = (a.k + 127) / 128;
    for (int r = 0; r < kFR; r++) {
        float *out = t.w[r];
        const int64_t j = j0 + r;
        int64_t c = c0;
        if (j < a.n) {
            const uint8_t *row = w + j * a.k * B;
            for (; c + 8 <= c1; c += 8) {
                __m256 v;
                if (K == kE4M3) {
                    const float sc = a.format == VANE_FORMAT_FP8_E4M3_ROW ? scales[j]
                                                                           : scales[(j / 128) * tiles_per_row + c / 128];
                    v = _mm256_mul_ps(e4m3_exact8(row + c), _mm256_set1_ps(sc));
                } else {
                    v = decode8<K>(row + c * B);
                }
                _mm256_store_ps(out + (c - c0), v);
            }
            for (; c < c1; c++) {
                float v = decode1<K>(row + c * B);
                if (K == kE4M3) {
                    const float sc = a.format == VANE_FORMAT_FP8_E4M3_ROW ? scales[j]
                                                                           : scales[(j / 128) * tiles_per_row + c / 128];
                    v = (v * 0x1p120f) * sc;
                }
                out[c - c0] = v;
            }
        }
        for (; c < c0 + kFKc; c++) out[c - c0] = 0.0f;  // rows past n, columns past c1
    }
}

// T x rows from i0 against columns [c0, c1) of the tile; adds the sums into out[i][r].
template <int T>
VG_INLINE void float_tile_rows(const FloatTile &t, const GemmArgs &a, int64_t i0, int64_t c0, int64_t c1,
                               float (*out)[kFR]) {
    __m256 acc[kFR][T];
    for (int r = 0; r < kFR; r++)
        for (int i = 0; i < T; i++) acc[r][i] = _mm256_setzero_ps();
    const float *x[T];
    for (int i = 0; i < T; i++) x[i] = a.x + (i0 + i) * a.ldx;
    int64_t c = c0;
    for (; c + 8 <= c1; c += 8) {
        __m256 xv[T];
        for (int i = 0; i < T; i++) xv[i] = _mm256_loadu_ps(x[i] + c);
        for (int r = 0; r < kFR; r++) {
            const __m256 wv = _mm256_load_ps(&t.w[r][c - c0]);
            for (int i = 0; i < T; i++) acc[r][i] = _mm256_fmadd_ps(wv, xv[i], acc[r][i]);
        }
    }
    if (c < c1) {  // the last 1..7 columns of the row: masked x loads (never past x), tile zeros
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(c1 - c)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        __m256 xv[T];
        for (int i = 0; i < T; i++) xv[i] = _mm256_maskload_ps(x[i] + c, mask);
        for (int r = 0; r < kFR; r++) {
            const __m256 wv = _mm256_load_ps(&t.w[r][c - c0]);
            for (int i = 0; i < T; i++) acc[r][i] = _mm256_fmadd_ps(wv, xv[i], acc[r][i]);
        }
    }
    for (int i = 0; i < T; i++)
        for (int r = 0; r < kFR; r += 4) {
            const __m128 s = hsum4(acc[r][i], acc[r + 1][i], acc[r + 2][i], acc[r + 3][i]);
            _mm_storeu_ps(out[i] + r, _mm_add_ps(_mm_loadu_ps(out[i] + r), s));
        }
}

template <FKind K>
void gemm_float_tiles(const GemmArgs &a, int64_t n0, int64_t n1) {
    FloatTile tile;
    // k in slices of kFKc columns, x in blocks of kFMb rows (a block's slice of x, 256 KB, stays
    // in L2 while every tile of the chunk runs against it; a tile is decoded once per block).
    for (int64_t c0 = 0; c0 < a.k || c0 == 0; c0 += kFKc) {
        const int64_t c1 = c0 + kFKc < a.k ? c0 + kFKc : a.k;
        const bool first = c0 == 0, last = c1 >= a.k;
        for (int64_t ib = 0; ib < a.m; ib += kFMb)
        for (int64_t j0 = n0; j0 < n1; j0 += kFR) {
            const int rows = n1 - j0 >= kFR ? kFR : (int)(n1 - j0);
            if (c1 > c0) unpack_float_tile<K>(a, j0, c0, c1, tile);
            const int64_t iend = ib + kFMb < a.m ? ib + kFMb : a.m;
            for (int64_t i0 = ib; i0 < iend; i0 += kFT) {
                const int trows = iend - i0 >= kFT ? kFT : (int)(iend - i0);
                float out[kFT][kFR];
                for (int i = 0; i < kFT; i++)
                    for (int r = 0; r < kFR; r++)
                        out[i][r] = first || i >= trows || r >= rows ? 0.0f : a.y[(i0 + i) * a.ldy + j0 + r];
                if (c1 > c0) {
                    if (trows == kFT) float_tile_rows<kFT>(tile, a, i0, c0, c1, out);
                    else
                        for (int i = 0; i < trows; i++) float_tile_rows<1>(tile, a, i0 + i, c0, c1, out + i);
                }
                for (int i = 0; i < trows; i++)
                    for (int r = 0; r < rows; r++)
                        a.y[(i0 + i) * a.ldy + j0 + r] = last && a.bias ? out[i][r] + a.bias[j0 + r] : out[i][r];
            }
        }
        if (c1 >= a.k) break;
    }
}

template <FKind K>
void gemm_float(const GemmArgs &a, int64_t n0, int64_t n1) {
    if (a.m > kGemmPairsMaxM) return gemm_float_tiles<K>(a, n0, n1);
    // Passes over up to 4 rows of x: 4 weight rows at a time for one x row, 2 for more.
    const ScaledX xs = scaled_x(a);
    for (int64_t t0 = 0; t0 < a.m; t0 += 4) {
        switch (a.m - t0 < 4 ? a.m - t0 : 4) {
            case 1: gemv_float_pass<K, 4, 1>(a, xs, t0, n0, n1); break;
            case 2: gemv_float_pass<K, 2, 2>(a, xs, t0, n0, n1); break;
            case 3: gemv_float_pass<K, 2, 3>(a, xs, t0, n0, n1); break;
            default: gemv_float_pass<K, 2, 4>(a, xs, t0, n0, n1); break;
        }
    }
}

// Whether the call scales x first (E4M3 weights, M <= kGemmPairsMaxM).
bool scales_x(int32_t format, int64_t m) {
    return (format == VANE_FORMAT_FP8_E4M3_ROW || format == VANE_FORMAT_FP8_E4M3_B128) && m <= kGemmPairsMaxM;
}

}  // namespace avx2g
}  // namespace

int64_t gemm_float_scratch_bytes_avx2(int32_t format, int64_t m, int64_t k) {
    if (!avx2g::scales_x(format, m)) return 0;
    return avx2g::kShiftBytes + m * avx2g::scaled_x_stride(k) * 4;
}

void gemm_float_prepare_avx2(const GemmArgs &a, int64_t m0, int64_t m1) {
    if (avx2g::scales_x(a.format, a.m)) avx2g::prepare_scaled_x(a, m0, m1);
}

void gemm_float_avx2(const GemmArgs &a, int64_t n0, int64_t n1) {
    using namespace avx2g;
    switch (a.format) {
        case VANE_FORMAT_F32: return gemm_float<kF32>(a, n0, n1);
        case VANE_FORMAT_F16: return gemm_float<kF16>(a, n0, n1);
        case VANE_FORMAT_BF16: return gemm_float<kBF16>(a, n0, n1);
        case VANE_FORMAT_FP8_E4M3_ROW:
        case VANE_FORMAT_FP8_E4M3_B128: return gemm_float<kE4M3>(a, n0, n1);
        default: return;  // x86_avx2.cpp sends only the float formats here
    }
}

}  // namespace vane
