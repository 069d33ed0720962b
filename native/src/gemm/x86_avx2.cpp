// AVX2 + FMA + F16C variant of the GEMM family (this file alone is compiled with -mavx2 -mfma
// -mf16c). Everything except the exported table has internal linkage, in a namespace of its own
// so check_baseline_isa.py can tell it from baseline code. It includes no C++ standard header
// (whose templates baseline code could share, see quant/scalar.h).
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
//
// Float formats: see "float formats" below.
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "gemm/gemm.h"
#include "vane.h"

namespace vane {

namespace {
namespace avx2g {

#define VG_INLINE inline __attribute__((always_inline))

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

VG_INLINE uint64_t u16_at(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}
VG_INLINE float f32_at(const uint8_t *p) {
    float v;
    memcpy(&v, p, 4);
    return v;
}
VG_INLINE __m128i load16(const uint8_t *p) { return _mm_loadu_si128((const __m128i *)p); }
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
            v[t] = t < nvalid ? u16_at(row + (8 * oct + t) * F::bytes + at) : 0;
            __asm__("" : "+r"(v[t]));
        }
        return f16x8(v[0] | (v[2] << 16) | (v[4] << 32) | (v[6] << 48), v[1] | (v[3] << 16) | (v[5] << 32) | (v[7] << 48));
    }
    if (F::g == 64) {  // act blocks 2w, 2w + 1 share weight block w: slots [w0 w1 w2 w3 | w0 w1 w2 w3]
        uint64_t v[4];
        for (int t = 0; t < 4; t++) {
            v[t] = 2 * t < nvalid ? u16_at(row + (4 * oct + t) * F::bytes + at) : 0;
            __asm__("" : "+r"(v[t]));
        }
        const uint64_t w = v[0] | (v[1] << 16) | (v[2] << 32) | (v[3] << 48);
        return f16x8(w, w);
    }
    // g = 128: slots [w0 w0 w1 w1 | w0 w0 w1 w1]
    const uint64_t v0 = u16_at(row + (2 * oct) * F::bytes + at);
    const uint64_t v1 = nvalid > 4 ? u16_at(row + (2 * oct + 1) * F::bytes + at) : 0;
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
        d[j] = b - 8 * oct < nvalid ? f32_at(row + (b * 32 / F::g) * F::bytes) : 0.0f;
    }
    return _mm256_loadu_ps(d);
}

// int4_asym minimum m of an octet in slot order.
template <class F>
VG_INLINE __m256 load_mw(const uint8_t *row, int64_t oct, int nvalid) {
    return f16_octet<F>(row, oct, nvalid, 2);
}

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

VG_INLINE float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// Sums of 4 accumulators, as [h(a0) h(a1) h(a2) h(a3)].
VG_INLINE __m128 hsum4(__m256 a0, __m256 a1, __m256 a2, __m256 a3) {
    const __m256 s = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
    return _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
}

// ---- GEMV (m <= kGemmPairsMaxM) -------------------------------------------------------------

constexpr int kGemvRows = 4;
// Prefetch distance in tiles of kGemvRows rows. The hardware prefetchers keep up poorly with 4
// interleaved row streams; prefetching the rows 2 tiles ahead into L2 took 1-thread q4_0 GEMV
// from 4 to 14 GB/s on the EPYC VM (1 tile: 13, 4 tiles: 13; into L1: slower).
constexpr int64_t kPrefetchTiles = 2;

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

// R weight rows from row j0 against the T x rows.
template <class F, int R, int T>
VG_INLINE void gemv_rows(const GemmArgs &a, const GemmActs &acts, int64_t j0, __m256 acc[R][T]) {
    const int64_t row_bytes = a.k / F::g * F::bytes;
    const uint8_t *rows[R];
    for (int r = 0; r < R; r++) {
        rows[r] = (const uint8_t *)a.w + (j0 + r) * row_bytes;
        for (int t = 0; t < T; t++) acc[r][t] = _mm256_setzero_ps();
    }
    const int64_t nb = a.k / 32, nfull = nb / 8;
    // The R rows kPrefetchTiles tiles ahead are contiguous: spread their lines over this tile's
    // octets (prefetches past the matrix are harmless: they never fault).
    const char *pf = (const char *)a.w + (j0 + kPrefetchTiles * R) * row_bytes;
    constexpr int64_t pf_step = R * (256 / F::g) * F::bytes;  // bytes of R rows per octet
    for (int64_t oct = 0; oct < nfull; oct++) {
        for (int64_t o = 0; o < pf_step; o += 64) _mm_prefetch(pf + oct * pf_step + o, _MM_HINT_T1);
        gemv_oct<F, R, T>(rows, acts, oct, 8, acc);
    }
    if (nb % 8) gemv_oct<F, R, T>(rows, acts, nfull, (int)(nb % 8), acc);
}

// y for T (= m, at most kGemvMaxM) rows of x, streaming the weights once.
template <class F, int T>
void gemv(const GemmArgs &a, const GemmActs &acts, int64_t n0, int64_t n1) {
    int64_t j = n0;
    for (; j + kGemvRows <= n1; j += kGemvRows) {
        __m256 acc[kGemvRows][T];
        gemv_rows<F, kGemvRows, T>(a, acts, j, acc);
        for (int t = 0; t < T; t++) {
            __m128 y = hsum4(acc[0][t], acc[1][t], acc[2][t], acc[3][t]);
            if (a.bias) y = _mm_add_ps(y, _mm_loadu_ps(a.bias + j));
            _mm_storeu_ps(a.y + t * a.ldy + j, y);
        }
    }
    for (; j < n1; j++) {
        __m256 acc[1][T];
        gemv_rows<F, 1, T>(a, acts, j, acc);
        for (int t = 0; t < T; t++) a.y[t * a.ldy + j] = hsum(acc[0][t]) + (a.bias ? a.bias[j] : 0.0f);
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

// 8 x 2 measured best on the EPYC VM (q4_0, one thread, tile in L1: 8x2 171 Gop/s, 4x1 162,
// 4x2 162, 4x3 164, 8x1 131; fully unrolled octets 144).
constexpr int kR = 8;          // weight rows per tile (a multiple of 4)
constexpr int kT = 2;          // x rows per micro-tile
constexpr int64_t kKc = 1024;  // columns per tile (a multiple of 256)
constexpr int kOctPerKc = kKc / 256;
constexpr int64_t kMb = 256;  // x rows per block

// A tile of kR weight rows x kKc columns, decoded into the lane layout, scales per octet in slot
// order. Rows past the matrix and blocks past k hold zeros.
struct alignas(32) Tile {
    __m256i v[kR][kOctPerKc][8];  // int4: codes 0..15; int8: the values
    __m256i a[kR][kOctPerKc][8];  // int8: |v|
    __m256 dw[kR][kOctPerKc];
    __m256 mw[kR][kOctPerKc];  // int4_asym
};

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

template <class F>
void unpack_tile(const GemmArgs &a, int64_t j0, int64_t oct0, int64_t noct, Tile &t) {
    const int64_t row_bytes = a.k / F::g * F::bytes;
    const int64_t nb = a.k / 32;
    for (int r = 0; r < kR; r++) {
        const bool real = j0 + r < a.n;
        const uint8_t *row = (const uint8_t *)a.w + (j0 + r) * row_bytes;
        for (int64_t o = 0; o < noct; o++) {
            const int64_t oct = oct0 + o;
            const int nvalid = !real ? 0 : nb - 8 * oct >= 8 ? 8 : (int)(nb - 8 * oct);
            __m256i v[4][2];
            load_octet<F>(row, oct, nvalid, v);
            pairs_to_lanes(v, t.v[r][o]);
            if (F::kind == kInt8)
                for (int u = 0; u < 8; u++) t.a[r][o][u] = _mm256_abs_epi8(t.v[r][o][u]);
            t.dw[r][o] = nvalid ? load_dw<F>(row, oct, nvalid) : _mm256_setzero_ps();
            t.mw[r][o] = F::kind == kAsym4 && nvalid ? load_mw<F>(row, oct, nvalid) : _mm256_setzero_ps();
        }
    }
}

// T x rows from i0 against the tile; adds each (x row, weight row) sum into out[i][r].
template <class F, int T>
VG_INLINE void tile_rows(const Tile &tile, const GemmActs &acts, int64_t i0, int64_t oct0, int64_t noct,
                         float (*out)[kR]) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[kR][T];
    for (int r = 0; r < kR; r++)
        for (int i = 0; i < T; i++) acc[r][i] = _mm256_setzero_ps();
    for (int64_t o = 0; o < noct; o++) {
        const int8_t *xq[T];
        for (int i = 0; i < T; i++) xq[i] = acts.q + ((i0 + i) * acts.nbp + 8 * (oct0 + o)) * 32;
        __m256i sum[kR][T];
        for (int r = 0; r < kR; r++)
            for (int i = 0; i < T; i++) sum[r][i] = _mm256_setzero_si256();
#pragma GCC unroll 1  // unrolled, GCC 12 spills the sums (10% slower)
        for (int u = 0; u < 8; u++) {
            __m256i x[T];
            for (int i = 0; i < T; i++) x[i] = _mm256_load_si256((const __m256i *)(xq[i] + 32 * u));
#pragma GCC unroll 4
            for (int r = 0; r < kR; r++) {
                const __m256i v = _mm256_load_si256(&tile.v[r][o][u]);
                if (F::kind == kInt8) {
                    const __m256i av = _mm256_load_si256(&tile.a[r][o][u]);
                    for (int i = 0; i < T; i++)
                        sum[r][i] = _mm256_add_epi32(
                            sum[r][i], _mm256_madd_epi16(_mm256_maddubs_epi16(av, _mm256_sign_epi8(x[i], v)), ones));
                } else {
                    for (int i = 0; i < T; i++) sum[r][i] = _mm256_add_epi16(sum[r][i], _mm256_maddubs_epi16(v, x[i]));
                }
            }
        }
        XOct xo[T];
        for (int i = 0; i < T; i++) xo[i] = x_oct<F>(acts, i0 + i, oct0 + o);
        for (int r = 0; r < kR; r++)
            for (int i = 0; i < T; i++) {
                const __m256i d = F::kind == kInt8 ? sum[r][i] : _mm256_madd_epi16(sum[r][i], ones);
                acc[r][i] = accumulate<F>(acc[r][i], d, xo[i], tile.dw[r][o], tile.mw[r][o]);
            }
    }
    for (int i = 0; i < T; i++)
        for (int r = 0; r < kR; r += 4) {
            const __m128 s = hsum4(acc[r][i], acc[r + 1][i], acc[r + 2][i], acc[r + 3][i]);
            _mm_storeu_ps(out[i] + r, _mm_add_ps(_mm_loadu_ps(out[i] + r), s));
        }
}

template <class F>
void gemm_tiles(const GemmArgs &a, const GemmActs &acts, int64_t n0, int64_t n1) {
    Tile tile;
    const int64_t nb = a.k / 32, noct_all = (nb + 7) / 8;
    // k goes in slices of kKc columns, outermost, and x in blocks of kMb rows, so a block's
    // slice of x (kMb x kKc bytes) stays in L2 while every tile of kR weight rows of the chunk
    // runs against it (a tile is decoded once per block). The partial sums stay in y between
    // slices; the bias is added after the last.
    for (int64_t oct0 = 0; oct0 < noct_all || oct0 == 0; oct0 += kOctPerKc) {
        const int64_t noct = noct_all - oct0 < kOctPerKc ? noct_all - oct0 : kOctPerKc;
        const bool first = oct0 == 0, last = oct0 + noct >= noct_all;
        for (int64_t ib = 0; ib < a.m; ib += kMb)
        for (int64_t j0 = n0; j0 < n1; j0 += kR) {
            const int rows = n1 - j0 >= kR ? kR : (int)(n1 - j0);
            if (noct > 0) unpack_tile<F>(a, j0, oct0, noct, tile);
            const int64_t iend = ib + kMb < a.m ? ib + kMb : a.m;
            for (int64_t i0 = ib; i0 < iend; i0 += kT) {
                const int trows = iend - i0 >= kT ? kT : (int)(iend - i0);
                float out[kT][kR];
                for (int i = 0; i < kT; i++)
                    for (int r = 0; r < kR; r++)
                        out[i][r] = first || i >= trows || r >= rows ? 0.0f : a.y[(i0 + i) * a.ldy + j0 + r];
                if (noct > 0) {
                    if (trows == kT) tile_rows<F, kT>(tile, acts, i0, oct0, noct, out);
                    else
                        for (int i = 0; i < trows; i++) tile_rows<F, 1>(tile, acts, i0 + i, oct0, noct, out + i);
                }
                for (int i = 0; i < trows; i++)
                    for (int r = 0; r < rows; r++)
                        a.y[(i0 + i) * a.ldy + j0 + r] = last && a.bias ? out[i][r] + a.bias[j0 + r] : out[i][r];
            }
        }
        if (noct == 0) break;
    }
}

template <class F>
void gemm_int(const GemmArgs &a, int64_t n0, int64_t n1) {
    const GemmActs acts = gemm_acts(a.scratch, a.m, a.k);
    if (!acts.lanes) {  // m <= kGemmPairsMaxM: x in pairs; passes over up to 4 rows of x
        for (int64_t i0 = 0; i0 < a.m; i0 += 4) {
            GemmArgs part = a;
            part.y = a.y + i0 * a.ldy;
            GemmActs pa = acts;
            pa.q += i0 * acts.nbp * 32;
            pa.d += i0 * acts.nbp;
            pa.qsum += i0 * acts.nbp;
            pa.s += i0 * acts.nbp;
            switch (a.m - i0 < 4 ? a.m - i0 : 4) {
                case 1: gemv<F, 1>(part, pa, n0, n1); break;
                case 2: gemv<F, 2>(part, pa, n0, n1); break;
                case 3: gemv<F, 3>(part, pa, n0, n1); break;
                default: gemv<F, 4>(part, pa, n0, n1); break;
            }
        }
    } else {
        gemm_tiles<F>(a, acts, n0, n1);
    }
}

// ---- float formats ---------------------------------------------------------------------------
//
// f32, f16, bf16 and FP8 E4M3 (planar, one scale per row or per 128 x 128 tile): each weight is
// decoded exactly and multiplied with x as given, as ref.cpp, with FMA into 8-lane accumulators
// (another summation order, within the bound of test_gemm). E4M3 codes decode through F16C: the
// code's bits placed as fp16 bits, (c & 0x80) << 8 | (c & 0x7f) << 7, are the value * 2^-8
// (subnormals included), and the 2^8 goes into the scale. That trick makes the NaN codes (0x7f,
// 0xff) 1.875 * 2^8; the GEMV checks every code for them and gives NaN to a row that holds one,
// as ref.cpp's NaN weights do; the GEMM tiles decode NaN codes to NaN.

enum FKind { kF32, kF16, kBF16, kE4M3 };

template <FKind K>
struct FloatFmt {
    static constexpr int bytes = K == kF32 ? 4 : K == kE4M3 ? 1 : 2;
};

int64_t planar_offset(int64_t rows, int64_t cols) { return (rows * cols + 63) / 64 * 64; }

// 8 weights at p -> f32 (E4M3: value * 2^-8; NaN codes not handled).
template <FKind K>
VG_INLINE __m256 decode8(const uint8_t *p) {
    if (K == kF32) return _mm256_loadu_ps((const float *)p);
    if (K == kF16) return _mm256_cvtph_ps(load16(p));
    if (K == kBF16) return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(load16(p)), 16));
    // E4M3: sign-extend to 16 bits, shift left by 7 (the sign lands in bit 15, ones in bit 14),
    // clear bit 14.
    const __m128i c = _mm_cvtepi8_epi16(_mm_loadl_epi64((const __m128i *)p));
    return _mm256_cvtph_ps(_mm_and_si128(_mm_slli_epi16(c, 7), _mm_set1_epi16((short)0xbf80)));
}

// One weight (scalar tails), E4M3 as value * 2^-8 like decode8 (NaN codes give NaN here).
template <FKind K>
VG_INLINE float decode1(const uint8_t *p) {
    if (K == kF32) return f32_at(p);
    uint16_t h;
    memcpy(&h, p, 2);
    if (K == kF16) return _cvtsh_ss(h);
    if (K == kBF16) {
        const uint32_t u = (uint32_t)h << 16;
        float f;
        memcpy(&f, &u, 4);
        return f;
    }
    const uint8_t c = *p;
    if ((c & 0x7f) == 0x7f) return __builtin_nanf("");
    return _cvtsh_ss((uint16_t)(((c & 0x80) << 8) | ((c & 0x7f) << 7)));
}

// 32 E4M3 codes -> f32 (value * 2^-8) in the order 0..7, 16..23, 8..15, 24..31: each code in
// the high byte of a 16-bit lane (c << 8), an arithmetic shift right by 1 (the sign stays in bit
// 15 and also lands in bit 14), bit 14 cleared.
VG_INLINE void e4m3_decode32(__m256i c, __m256 &w0, __m256 &w1, __m256 &w2, __m256 &w3) {
    const __m256i z = _mm256_setzero_si256(), m = _mm256_set1_epi16((short)0xbf80);
    const __m256i lo = _mm256_and_si256(_mm256_srai_epi16(_mm256_unpacklo_epi8(z, c), 1), m);  // 0..7 | 16..23
    const __m256i hi = _mm256_and_si256(_mm256_srai_epi16(_mm256_unpackhi_epi8(z, c), 1), m);  // 8..15 | 24..31
    w0 = _mm256_cvtph_ps(_mm256_castsi256_si128(lo));
    w1 = _mm256_cvtph_ps(_mm256_extracti128_si256(lo, 1));
    w2 = _mm256_cvtph_ps(_mm256_castsi256_si128(hi));
    w3 = _mm256_cvtph_ps(_mm256_extracti128_si256(hi, 1));
}

// Sum over columns [c0, c1) of R weight rows (element (r, c) at rows[r] + c * bytes) times x, in
// lanes, added into acc[r]; c1 - c0 a multiple of 8 except at the end of a row (then a scalar
// tail, added to tail[r]). E4M3: nan[r] keeps the bytewise max of (code | 0x80), 0xff iff a NaN
// code was seen. pf: the R rows kPrefetchTiles tiles ahead (contiguous), prefetched into L2 as
// this tile advances, spread over the steps (in one burst per span they slowed f32 GEMV down).
template <FKind K, int R>
VG_INLINE void gemv_float_span(const uint8_t *const rows[R], const float *x, int64_t c0, int64_t c1, __m256 acc[R][2],
                               float tail[R], __m256i nan[R], const char *pf) {
    constexpr int B = FloatFmt<K>::bytes;
    int64_t c = c0;
    if (K == kE4M3) {
        for (; c + 32 <= c1; c += 32) {
            for (int o = 0; o < 32 * R; o += 64) _mm_prefetch(pf + c * R + o, _MM_HINT_T1);
            // Unpacking bytes works within 128-bit lanes: the weights come out in the order
            // 0..7, 16..23, 8..15, 24..31, and x is loaded in the same order.
            const __m256 x0 = _mm256_loadu_ps(x + c), x1 = _mm256_loadu_ps(x + c + 16);
            const __m256 x2 = _mm256_loadu_ps(x + c + 8), x3 = _mm256_loadu_ps(x + c + 24);
#pragma GCC unroll 4
            for (int r = 0; r < R; r++) {
                const __m256i codes = _mm256_loadu_si256((const __m256i *)(rows[r] + c));
                nan[r] = _mm256_max_epu8(nan[r], _mm256_or_si256(codes, _mm256_set1_epi8((char)0x80)));
                __m256 w0, w1, w2, w3;
                e4m3_decode32(codes, w0, w1, w2, w3);
                acc[r][0] = _mm256_fmadd_ps(w0, x0, acc[r][0]);
                acc[r][1] = _mm256_fmadd_ps(w1, x1, acc[r][1]);
                acc[r][0] = _mm256_fmadd_ps(w2, x2, acc[r][0]);
                acc[r][1] = _mm256_fmadd_ps(w3, x3, acc[r][1]);
            }
        }
    } else {
        for (; c + 16 <= c1; c += 16) {
            for (int o = 0; o < 16 * B * R; o += 64) _mm_prefetch(pf + c * B * R + o, _MM_HINT_T1);
            const __m256 x0 = _mm256_loadu_ps(x + c), x1 = _mm256_loadu_ps(x + c + 8);
#pragma GCC unroll 4
            for (int r = 0; r < R; r++) {
                acc[r][0] = _mm256_fmadd_ps(decode8<K>(rows[r] + c * B), x0, acc[r][0]);
                acc[r][1] = _mm256_fmadd_ps(decode8<K>(rows[r] + (c + 8) * B), x1, acc[r][1]);
            }
        }
    }
    for (; c + 8 <= c1; c += 8) {
        const __m256 x0 = _mm256_loadu_ps(x + c);
        for (int r = 0; r < R; r++) {
            if (K == kE4M3)  // 8 codes (a 64-bit load; the zero bytes above are not NaN codes)
                nan[r] = _mm256_max_epu8(nan[r], _mm256_zextsi128_si256(_mm_or_si128(
                                                     _mm_loadl_epi64((const __m128i *)(rows[r] + c)), _mm_set1_epi8((char)0x80))));
            acc[r][0] = _mm256_fmadd_ps(decode8<K>(rows[r] + c * B), x0, acc[r][0]);
        }
    }
    for (; c < c1; c++)
        for (int r = 0; r < R; r++) tail[r] += decode1<K>(rows[r] + c * B) * x[c];
}

// GEMV for float formats: R rows at a time, prefetching as the integer GEMV.
template <FKind K, int R>
VG_INLINE void gemv_float_rows(const GemmArgs &a, int64_t j0, float out[R]) {
    constexpr int B = FloatFmt<K>::bytes;
    const int64_t k = a.k;
    const uint8_t *w = (const uint8_t *)a.w;
    const uint8_t *rows[R];
    __m256 acc[R][2], total[R];
    __m256i nan[R];
    float tail[R];
    for (int r = 0; r < R; r++) {
        rows[r] = w + (j0 + r) * k * B;
        acc[r][0] = acc[r][1] = total[r] = _mm256_setzero_ps();
        nan[r] = _mm256_setzero_si256();
        tail[r] = 0.0f;
    }
    const float *scales = (const float *)(w + planar_offset(a.n, k));
    const char *pf = (const char *)w + (j0 + kPrefetchTiles * R) * k * B;
    const int64_t span = a.format == VANE_FORMAT_FP8_E4M3_B128 ? 128 : 1024;
    for (int64_t c0 = 0; c0 < k; c0 += span) {
        const int64_t c1 = c0 + span < k ? c0 + span : k;
        gemv_float_span<K, R>(rows, a.x, c0, c1, acc, tail, nan, pf);
        if (a.format == VANE_FORMAT_FP8_E4M3_B128) {
            // Each 128-column tile has its scale: fold this span's sums in with it.
            const int64_t tiles_per_row = (k + 127) / 128;
            for (int r = 0; r < R; r++) {
                const __m256 sc = _mm256_set1_ps(scales[((j0 + r) / 128) * tiles_per_row + c0 / 128]);
                total[r] = _mm256_fmadd_ps(_mm256_add_ps(acc[r][0], acc[r][1]), sc, total[r]);
                total[r] = _mm256_add_ps(total[r], _mm256_mul_ps(_mm256_set_ps(0, 0, 0, 0, 0, 0, 0, tail[r]), sc));
                acc[r][0] = acc[r][1] = _mm256_setzero_ps();
                tail[r] = 0.0f;
            }
        }
    }
    for (int r = 0; r < R; r++) {
        float sum;
        if (a.format == VANE_FORMAT_FP8_E4M3_B128) {
            sum = hsum(total[r]) * 256.0f;
        } else {
            sum = hsum(_mm256_add_ps(acc[r][0], acc[r][1])) + tail[r];
            if (K == kE4M3) sum = sum * scales[j0 + r] * 256.0f;
        }
        if (K == kE4M3 && _mm256_movemask_epi8(_mm256_cmpeq_epi8(nan[r], _mm256_set1_epi8((char)0xff))) != 0)
            sum = __builtin_nanf("");
        out[r] = sum;
    }
}

// Small batches: R weight rows against T (2..4) rows of x, each weight decoded once; x row t at
// a.x + t * a.ldx, sums into out[r][t].
template <FKind K, int R, int T>
VG_INLINE void gemv_float_batch_rows(const GemmArgs &a, int64_t j0, float out[R][T]) {
    constexpr int B = FloatFmt<K>::bytes;
    const int64_t k = a.k;
    const uint8_t *w = (const uint8_t *)a.w;
    const float *scales = (const float *)(w + planar_offset(a.n, k));
    const int64_t tiles_per_row = (k + 127) / 128;
    const char *pf = (const char *)w + (j0 + kPrefetchTiles * R) * k * B;
    __m256 acc[R][T], total[R][T];
    float tail[R][T];
    __m256i nan[R];
    for (int r = 0; r < R; r++) {
        nan[r] = _mm256_setzero_si256();
        for (int t = 0; t < T; t++) {
            acc[r][t] = total[r][t] = _mm256_setzero_ps();
            tail[r][t] = 0.0f;
        }
    }
    const int64_t span = K == kE4M3 ? 128 : k;  // E4M3: fold each 128 columns with their scale
    for (int64_t c0 = 0; c0 < k; c0 += span) {
        const int64_t c1 = c0 + span < k ? c0 + span : k;
        int64_t c = c0;
        for (; c + 8 <= c1; c += 8) {
            if ((c * B * R) % 64 < 8 * B * R) _mm_prefetch(pf + c * B * R, _MM_HINT_T1);
            __m256 x[T];
            for (int t = 0; t < T; t++) x[t] = _mm256_loadu_ps(a.x + t * a.ldx + c);
            for (int r = 0; r < R; r++) {
                const uint8_t *p = w + ((j0 + r) * k + c) * B;
                if (K == kE4M3)
                    nan[r] = _mm256_max_epu8(nan[r], _mm256_zextsi128_si256(_mm_or_si128(
                                                         _mm_loadl_epi64((const __m128i *)p), _mm_set1_epi8((char)0x80))));
                const __m256 wv = decode8<K>(p);
                for (int t = 0; t < T; t++) acc[r][t] = _mm256_fmadd_ps(wv, x[t], acc[r][t]);
            }
        }
        for (; c < c1; c++)
            for (int r = 0; r < R; r++) {
                const float wv = decode1<K>(w + ((j0 + r) * k + c) * B);
                for (int t = 0; t < T; t++) tail[r][t] += wv * a.x[t * a.ldx + c];
            }
        if (K == kE4M3) {
            for (int r = 0; r < R; r++) {
                const int64_t si = a.format == VANE_FORMAT_FP8_E4M3_ROW ? j0 + r : ((j0 + r) / 128) * tiles_per_row + c0 / 128;
                const __m256 sc = _mm256_set1_ps(scales[si]);
                for (int t = 0; t < T; t++) {
                    total[r][t] = _mm256_fmadd_ps(
                        _mm256_add_ps(acc[r][t], _mm256_set_ps(0, 0, 0, 0, 0, 0, 0, tail[r][t])), sc, total[r][t]);
                    acc[r][t] = _mm256_setzero_ps();
                    tail[r][t] = 0.0f;
                }
            }
        }
    }
    for (int r = 0; r < R; r++) {
        const bool has_nan =
            K == kE4M3 && _mm256_movemask_epi8(_mm256_cmpeq_epi8(nan[r], _mm256_set1_epi8((char)0xff))) != 0;
        for (int t = 0; t < T; t++) {
            float sum = K == kE4M3 ? hsum(total[r][t]) * 256.0f : hsum(acc[r][t]) + tail[r][t];
            out[r][t] = has_nan ? __builtin_nanf("") : sum;
        }
    }
}

template <FKind K, int T>
void gemv_float_batch(const GemmArgs &a, int64_t n0, int64_t n1) {
    constexpr int R = 2;
    int64_t j = n0;
    for (; j + R <= n1; j += R) {
        float out[R][T];
        gemv_float_batch_rows<K, R, T>(a, j, out);
        for (int r = 0; r < R; r++)
            for (int t = 0; t < T; t++) a.y[t * a.ldy + j + r] = out[r][t] + (a.bias ? a.bias[j + r] : 0.0f);
    }
    for (; j < n1; j++) {
        float out[1][T];
        gemv_float_batch_rows<K, 1, T>(a, j, out);
        for (int t = 0; t < T; t++) a.y[t * a.ldy + j] = out[0][t] + (a.bias ? a.bias[j] : 0.0f);
    }
}

template <FKind K>
void gemv_float(const GemmArgs &a, int64_t n0, int64_t n1) {
    int64_t j = n0;
    for (; j + 4 <= n1; j += 4) {
        float out[4];
        gemv_float_rows<K, 4>(a, j, out);
        for (int r = 0; r < 4; r++) a.y[j + r] = out[r] + (a.bias ? a.bias[j + r] : 0.0f);
    }
    for (; j < n1; j++) {
        float out[1];
        gemv_float_rows<K, 1>(a, j, out);
        a.y[j] = out[0] + (a.bias ? a.bias[j] : 0.0f);
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
    const __m128i c = _mm_cvtepi8_epi16(_mm_loadl_epi64((const __m128i *)p));
    const __m256 v = _mm256_mul_ps(_mm256_cvtph_ps(_mm_and_si128(_mm_slli_epi16(c, 7), _mm_set1_epi16((short)0xbf80))),
                                   _mm256_set1_ps(256.0f));
    const __m128i is_nan = _mm_cmpeq_epi16(_mm_and_si128(c, _mm_set1_epi16(0x7f)), _mm_set1_epi16(0x7f));
    return _mm256_blendv_ps(v, _mm256_set1_ps(__builtin_nanf("")), _mm256_castsi256_ps(_mm256_cvtepi16_epi32(is_nan)));
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
                    v = (v * 256.0f) * sc;
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
    if (a.m == 1) {
        gemv_float<K>(a, n0, n1);
    } else if (a.m <= kGemmPairsMaxM) {  // small batches: passes over up to 4 rows of x
        for (int64_t i0 = 0; i0 < a.m; i0 += 4) {
            GemmArgs part = a;
            part.x = a.x + i0 * a.ldx;
            part.y = a.y + i0 * a.ldy;
            switch (a.m - i0 < 4 ? a.m - i0 : 4) {
                case 1: gemv_float<K>(part, n0, n1); break;
                case 2: gemv_float_batch<K, 2>(part, n0, n1); break;
                case 3: gemv_float_batch<K, 3>(part, n0, n1); break;
                default: gemv_float_batch<K, 4>(part, n0, n1); break;
            }
        }
    } else {
        gemm_float_tiles<K>(a, n0, n1);
    }
}

void gemm_avx2(const GemmArgs &a, int64_t n0, int64_t n1) {
    // k = 0: y = bias, and w may be null (the kernels below would read FP8 scales from it).
    if (a.k == 0) return gemm_kernels_ref.gemm(a, n0, n1);
    switch (a.format) {
        case VANE_FORMAT_Q4_0:
        case VANE_FORMAT_INT4_SYM_G32: return gemm_int<Sym4G32>(a, n0, n1);
        case VANE_FORMAT_INT4_SYM_G64: return gemm_int<Sym4G64>(a, n0, n1);
        case VANE_FORMAT_INT4_SYM_G128: return gemm_int<Sym4G128>(a, n0, n1);
        case VANE_FORMAT_INT4_ASYM_G32: return gemm_int<Asym4G32>(a, n0, n1);
        case VANE_FORMAT_INT4_ASYM_G64: return gemm_int<Asym4G64>(a, n0, n1);
        case VANE_FORMAT_INT4_ASYM_G128: return gemm_int<Asym4G128>(a, n0, n1);
        case VANE_FORMAT_INT8_G32: return gemm_int<Int8G32>(a, n0, n1);
        case VANE_FORMAT_INT8_G64: return gemm_int<Int8G64>(a, n0, n1);
        case VANE_FORMAT_INT8_G128: return gemm_int<Int8G128>(a, n0, n1);
        case VANE_FORMAT_Q8_0: return gemm_int<Q8_0>(a, n0, n1);
        case VANE_FORMAT_F32: return gemm_float<kF32>(a, n0, n1);
        case VANE_FORMAT_F16: return gemm_float<kF16>(a, n0, n1);
        case VANE_FORMAT_BF16: return gemm_float<kBF16>(a, n0, n1);
        case VANE_FORMAT_FP8_E4M3_ROW:
        case VANE_FORMAT_FP8_E4M3_B128: return gemm_float<kE4M3>(a, n0, n1);
        default: return;  // the API layer accepts no other format
    }
}

#undef VG_INLINE

}  // namespace avx2g
}  // namespace

const GemmKernels gemm_kernels_avx2 = {gemm_scratch_bytes, gemm_prepare, avx2g::gemm_avx2};

}  // namespace vane
