// AVX-512 GEMM of the float weight formats f32, f16 and bf16 for M > kGemmPairsMaxM (compiled
// with the AVX-512 flags; internal linkage but for the functions x86_avx512.h declares). Smaller
// M (the GEMVs) and FP8 E4M3 run the AVX2 kernels (x86_avx2_float.cpp).
//
// Outer-product form, as BLAS microkernels: a panel of kNR = 32 weight rows x kKc = 512 columns
// is decoded to f32 (f16 by vcvtph2ps, bf16 by a shift, f32 as is: exact, as ref.cpp) and
// transposed (16 x 16 blocks), so that for each column c the panel holds the 32 rows' weights in
// two zmm; then kMR = 12 rows of x at a time run against it, each x[i][c] broadcast into
//   acc[i][h] += panel[c][16h .. 16h + 15] * x[i][c]     (12 x 2 = 24 zmm accumulators)
// Each acc[i][h] is 16 output columns y[i][j0 + 16h ..] as they lie in y: no horizontal sums; the
// epilogue is one (masked) load, add and store per accumulator and k slice. Per column step: 2
// panel loads and 12 broadcasts for 24 FMAs (the AVX2 kernel's 4 x 3 ymm tile: 7 loads per 12
// FMAs of half the width, and 12 horizontal sums per tile and 3 x rows).
//
// x is packed by this variant's prepare step, once per call, into the scratch: tiles of 12 rows,
// each column's 12 values contiguous, so the broadcasts of a step are one 48-byte run and x
// streams sequentially. Read in place, 12 rows of x a power of two apart (ldx = 4096 floats) fall
// into one L1 set and thrash it. The scratch is as large as x (4 * ceil(m / 12) * 12 * k bytes),
// hence the cap kFloatAvx512MaxMK (x86_avx512.h).
//
// Sizes, measured on the 2-vCPU Zen 4 VM (f16, one thread, whose FMA probe gives 116-117
// GFLOP/s; builds alternating in one process), at m = 512, n = k = 4096 / on the M = 128 model
// shapes: kKc = 128 (a 16 KB panel in L1) 73% / 83% of the probe; 256: 89% / 86%; 512: 90% /
// 89%; 1024 and 2048 no better (the panel can live in L2: its 128 bytes per 24 FMAs stream well).
// kMb (x rows per panel decode) 264: 91%, 528: 92%, 144: 88%. Prefetching the packed x (kXAhead
// floats ahead into L1, the next micro-tile's x into L2) took m = 512 from 83% to 89%;
// prefetching the next panel's weights gained nothing measurable once kKc was 512, nor did
// prefetching y before the epilogue. The micro-kernel alone (panel and x in L1) runs at 98%.
// Two threads, gemm_bench (FMA ceiling 232 GFLOP/s), f16 / f32 / bf16 at m = 512: 82-84 /
// 85-86 / 85-87 ms, 86-90% of the ceiling (AVX2: 105 / 105-135 / 107-130 ms, 55-70%); the
// model mode's layer at M = 128: 58-59 ms, 84-88% (AVX2: 66-67 ms, 74-78%).
//
// Each output is summed over k in order within a slice of kKc columns, the slices added into y in
// order, the bias last: another order than ref.cpp's, within test_gemm's bound for the float
// formats (k * 2^-24 * sum |x * w| and the bias rounding). Rows past the chunk's n1 are zeros in
// the panel and never stored (the stores are masked: a chunk writes only its own columns).
#include <immintrin.h>
#include <stdlib.h>

// GCC 12's 512-bit intrinsics start from _mm512_undefined_*(), which it then reports as maybe
// used uninitialized once they are inlined into templates; the values are never read.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "gemm/x86_avx2.h"
#include "gemm/x86_avx512.h"
#include "vane.h"

namespace vane {

namespace {
namespace avx512f {

#define VF_INLINE inline __attribute__((always_inline))

enum FKind { kF32, kF16, kBF16 };

constexpr int kNR = 32;       // weight rows per panel (two zmm of output columns)
constexpr int kMR = 12;       // x rows per micro-tile
constexpr int64_t kKc = 512;  // columns per panel (a multiple of 16): a 64 KB panel
constexpr int64_t kMb = 264;  // x rows per block (a panel is decoded once per block)
// Prefetch distances: the packed x kXAhead floats ahead (into L1), and the next micro-tile's x
// at the same column (into L2), one line each per column step.
constexpr int64_t kXAhead = 384;

// The panel: w[c][r] = weight (j0 + r, c0 + c) as f32; zeros for rows past the chunk and columns
// past the slice's end (within the last group of 16).
struct alignas(64) Panel {
    float w[kKc][kNR];
};

// The first n of 16 lanes (n <= 0: none).
VF_INLINE __mmask16 mask_of(int64_t n) {
    return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n > 0 ? n : 0)) - 1);
}

// Columns c .. c + 15 of a weight row (those under the mask; zeros for the rest) as f32.
template <FKind K>
VF_INLINE __m512 decode16(const uint8_t *row, int64_t c, __mmask16 m) {
    if (K == kF32) return _mm512_maskz_loadu_ps(m, (const float *)row + c);
    const __m256i h = _mm256_maskz_loadu_epi16(m, (const uint16_t *)row + c);
    if (K == kF16) return _mm512_cvtph_ps(h);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

VF_INLINE __m512 unpacklo_pd(__m512 a, __m512 b) {
    return _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(a), _mm512_castps_pd(b)));
}
VF_INLINE __m512 unpackhi_pd(__m512 a, __m512 b) {
    return _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(a), _mm512_castps_pd(b)));
}

// r[i][j] -> r[j][i] for a 16 x 16 block of floats.
VF_INLINE void transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        r[i] = unpacklo_pd(t[i], t[i + 2]);
        r[i + 1] = unpackhi_pd(t[i], t[i + 2]);
        r[i + 2] = unpacklo_pd(t[i + 1], t[i + 3]);
        r[i + 3] = unpackhi_pd(t[i + 1], t[i + 3]);
    }
    for (int h = 0; h < 16; h += 8)
        for (int i = 0; i < 4; i++) {
            t[h + i] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0x88);
            t[h + i + 4] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0xdd);
        }
    for (int i = 0; i < 8; i++) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
        r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd);
    }
}

// Rows [j0, j0 + rows) (rows <= 32) x columns [c0, c1) of W into the panel, nv halves of 16 rows.
template <FKind K>
void pack_panel(const GemmArgs &a, int64_t j0, int rows, int nv, int64_t c0, int64_t c1, Panel &p) {
    constexpr int B = K == kF32 ? 4 : 2;
    const uint8_t *w = (const uint8_t *)a.w;
    for (int h = 0; h < nv; h++) {
        for (int64_t c = c0; c < c1; c += 16) {
            const __mmask16 m = mask_of(c1 - c);
            __m512 v[16];
            for (int r = 0; r < 16; r++)
                v[r] = 16 * h + r < rows ? decode16<K>(w + (j0 + 16 * h + r) * a.k * B, c, m) : _mm512_setzero_ps();
            transpose16(v);
            for (int r = 0; r < 16; r++) _mm512_store_ps(&p.w[c - c0 + r][16 * h], v[r]);
        }
    }
}

// T rows of x (xp: the packed tile at the slice's first column, kMR floats per column; next:
// floats from there to the next tile's, prefetched) against kc columns of the panel's first
// 16 * NV rows; y (row 0 at column j0) = acc (first slice) or y + acc, then + bias (if given, at
// j0). m0, m1: the columns of y each half may write.
template <int NV, int T>
void micro(const Panel &p, const float *xp, int64_t next, int64_t kc, float *y, int64_t ldy, __mmask16 m0,
           __mmask16 m1, bool first, const float *bias) {
    __m512 acc[T][NV];
    for (int t = 0; t < T; t++)
        for (int v = 0; v < NV; v++) acc[t][v] = _mm512_setzero_ps();
    const float *pw = &p.w[0][0];
    for (int64_t c = 0; c < kc; c++, pw += kNR, xp += kMR) {
        _mm_prefetch((const char *)(xp + kXAhead), _MM_HINT_T0);
        _mm_prefetch((const char *)(xp + next), _MM_HINT_T1);
        const __m512 w0 = _mm512_load_ps(pw);
        const __m512 w1 = NV == 2 ? _mm512_load_ps(pw + 16) : w0;
        for (int t = 0; t < T; t++) {
            const __m512 b = _mm512_set1_ps(xp[t]);
            acc[t][0] = _mm512_fmadd_ps(w0, b, acc[t][0]);
            if (NV == 2) acc[t][NV - 1] = _mm512_fmadd_ps(w1, b, acc[t][NV - 1]);
        }
    }
    for (int t = 0; t < T; t++)
        for (int v = 0; v < NV; v++) {
            const __mmask16 m = v == 0 ? m0 : m1;
            float *yp = y + t * ldy + 16 * v;
            __m512 s = acc[t][v];
            if (!first) s = _mm512_add_ps(_mm512_maskz_loadu_ps(m, yp), s);
            if (bias) s = _mm512_add_ps(s, _mm512_maskz_loadu_ps(m, bias + 16 * v));
            _mm512_mask_storeu_ps(yp, m, s);
        }
}

using MicroFn = void (*)(const Panel &, const float *, int64_t, int64_t, float *, int64_t, __mmask16, __mmask16, bool,
                         const float *);

// The prepare step: x packed into the scratch by tiles of kMR rows, tile q at q * k * kMR floats,
// column c of the tile at c * kMR: x[kMR q + t][c] at t (zeros for rows past m), so that the
// micro-kernel's 12 broadcasts per column come from one 48-byte run. Each tile is written by the
// chunk holding its first row (it reads the tile's other rows of x too).
void pack_x(const GemmArgs &a, int64_t m0, int64_t m1) {
    float *xp = (float *)a.scratch;
    for (int64_t q = (m0 + kMR - 1) / kMR; q * kMR < m1; q++) {
        const int rows = a.m - q * kMR >= kMR ? kMR : (int)(a.m - q * kMR);
        const float *x = a.x + q * kMR * a.ldx;
        float *out = xp + q * a.k * kMR;
        for (int64_t c = 0; c < a.k; c += 16) {
            const __mmask16 m = mask_of(a.k - c);
            __m512 v[16];
            for (int t = 0; t < 16; t++)
                v[t] = t < rows ? _mm512_maskz_loadu_ps(m, x + t * a.ldx + c) : _mm512_setzero_ps();
            transpose16(v);
            const int cols = a.k - c >= 16 ? 16 : (int)(a.k - c);
            for (int r = 0; r < 16; r++)
                if (r < cols) _mm512_mask_storeu_ps(out + (c + r) * kMR, (__mmask16)0x0fff, v[r]);
        }
    }
}

template <int NV>
constexpr MicroFn kMicro[kMR + 1] = {nullptr,         micro<NV, 1>,  micro<NV, 2>, micro<NV, 3>, micro<NV, 4>,
                                     micro<NV, 5>,    micro<NV, 6>,  micro<NV, 7>, micro<NV, 8>, micro<NV, 9>,
                                     micro<NV, 10>,   micro<NV, 11>, micro<NV, 12>};

// The calling thread's panel (64 KB, too much for the stack of any thread that may call in),
// allocated on the thread's first call, kept until the thread ends.
class PanelBuffer {
public:
    ~PanelBuffer() { free(p_); }
    Panel *get() {
        if (!p_) p_ = (Panel *)aligned_alloc(64, sizeof(Panel));
        return p_;
    }

private:
    Panel *p_ = nullptr;
};
thread_local PanelBuffer t_panel;

template <FKind K>
void gemm_float_tiles(const GemmArgs &a, int64_t n0, int64_t n1) {
    Panel *panel_buf = t_panel.get();
    if (!panel_buf) return gemm_float_avx2(a, n0, n1);  // no memory for it: AVX2 reads x as it is
    Panel &panel = *panel_buf;
    const float *xp = (const float *)a.scratch;
    for (int64_t c0 = 0; c0 < a.k; c0 += kKc) {
        const int64_t c1 = c0 + kKc < a.k ? c0 + kKc : a.k;
        const bool first = c0 == 0, last = c1 == a.k;
        for (int64_t ib = 0; ib < a.m; ib += kMb) {
            const int64_t iend = ib + kMb < a.m ? ib + kMb : a.m;
            for (int64_t j0 = n0; j0 < n1; j0 += kNR) {
                const int rows = n1 - j0 >= kNR ? kNR : (int)(n1 - j0);
                const int nv = rows > 16 ? 2 : 1;
                pack_panel<K>(a, j0, rows, nv, c0, c1, panel);
                const __mmask16 m0 = mask_of(rows), m1 = mask_of(rows - 16);
                const float *bias = last && a.bias ? a.bias + j0 : nullptr;
                const MicroFn *fns = nv == 2 ? kMicro<2> : kMicro<1>;
                for (int64_t i0 = ib; i0 < iend; i0 += kMR) {
                    const int t = iend - i0 >= kMR ? kMR : (int)(iend - i0);
                    fns[t](panel, xp + (i0 / kMR * a.k + c0) * kMR, a.k * kMR, c1 - c0, a.y + i0 * a.ldy + j0,
                           a.ldy, m0, m1, first, bias);
                }
            }
        }
    }
}

}  // namespace avx512f
}  // namespace

bool gemm_float_avx512_handles(int32_t format, int64_t m, int64_t k) {
    return k > 0 && m > kGemmPairsMaxM && m * k <= kFloatAvx512MaxMK &&
           (format == VANE_FORMAT_F32 || format == VANE_FORMAT_F16 || format == VANE_FORMAT_BF16);
}

int64_t gemm_float_scratch_bytes_avx512(int32_t format, int64_t m, int64_t k) {
    return (m + avx512f::kMR - 1) / avx512f::kMR * avx512f::kMR * k * 4;
}

void gemm_float_prepare_avx512(const GemmArgs &a, int64_t m0, int64_t m1) { avx512f::pack_x(a, m0, m1); }

void gemm_float_avx512(const GemmArgs &a, int64_t n0, int64_t n1) {
    using namespace avx512f;
    switch (a.format) {
        case VANE_FORMAT_F32: return gemm_float_tiles<kF32>(a, n0, n1);
        case VANE_FORMAT_F16: return gemm_float_tiles<kF16>(a, n0, n1);
        case VANE_FORMAT_BF16: return gemm_float_tiles<kBF16>(a, n0, n1);
        default: return;  // x86_avx512.cpp sends only what gemm_float_avx512_handles accepts
    }
}

}  // namespace vane
