// AVX-512 variant of the number-format family (this unit and x86_avx512_blocks.cpp alone are
// compiled with F, BW, VL, DQ, VNNI). Like the AVX2 variant it gives exactly the bytes and floats
// of ref.cpp: the same operations in the same order (no fma; -ffp-contract=off), on 16 lanes,
// with masked loads and stores for the tails instead of scalar loops (a masked-off lane is never
// read or written, so the tails are the same code as the body).
//
// This unit: FP8 encode / decode (E4M3, E5M2), planar FP8 (per row, 128x128 tiles), f32, f16,
// bf16, and the table. Narrowing is vpmovdb / vpmovdw; f16 is vcvtps2ph / vcvtph2ps (which round
// and convert subnormals as f32_to_f16_bits / f16_bits_to_f32 do; NaNs get the quiet bit set
// explicitly). The quantizers of the unscaled formats check finiteness in the same pass as the
// conversion (on failure the output is unspecified), so the input is read once.
//
// The group formats (int4_*, int8_*, q4_0, q8_0) are in x86_avx512_blocks.cpp. GGUF's other
// block formats (k-quants, iq4, mxfp4, q4_1, q5_*), quantized at load time by the reference
// codecs, go to the AVX2 variant's table unchanged: 512 bits would not change their reference code.
#include "x86_avx512.h"  // first: it includes immintrin.h

#include <stdint.h>
#include <string.h>

#include "quant.h"
#include "scalar.h"

namespace vane {

namespace {
// Named, as the AVX2 unit's namespace: these names must differ from ref.cpp's and x86_avx2.cpp's
// (check_baseline_isa.py maps symbols to objects).
namespace avx512 {

using namespace avx512q;

#define VQ_INLINE inline __attribute__((always_inline))

// ---- FP8 -----------------------------------------------------------------------------------

// The formats' constants, known at compile time (immediate shifts, constants out of the loops).
struct Fp8Spec {
    uint32_t mbits, bias, max_f32;
    float sub_scale;  // 2^(bias - 1 + mbits): |x| * sub_scale is the subnormal code
};
constexpr Fp8Spec kE4M3 = {3, 7, 0x43e00000u, 0x1p9f};
constexpr Fp8Spec kE5M2 = {2, 15, 0x47600000u, 0x1p16f};

// 16 floats -> 16 fp8 codes in int32 lanes; the rules of fp8_encode_generic in scalar.h, in
// fewer operations: |x| is first clamped to the largest finite value (whose code is the largest
// finite code), which saturates Inf and everything above max on the normal path.
template <bool E5M2>
VQ_INLINE __m512i fp8_enc16(__m512 x) {
    constexpr Fp8Spec k = E5M2 ? kE5M2 : kE4M3;
    __m512i u = _mm512_castps_si512(x);
    __m512i a = _mm512_and_si512(u, set1(0x7fffffffu));
    __m512i s = _mm512_min_epu32(a, set1(k.max_f32));
    // Normal: rebias the exponent, round the mantissa to mbits bits (add half - 1 + lsb, shift).
    // The rebias is a multiple of 2^23: it folds into the added constant and leaves the lsb.
    constexpr unsigned cnt = 23 - k.mbits;
    __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(s, cnt), set1(1u));
    __m512i add = set1((1u << (22 - k.mbits)) - 1u - ((127u - k.bias) << 23));
    __m512i c = _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(s, add), lsb), cnt);
    // Subnormal: |x| * 2^(bias - 1 + mbits) is exact; convert it rounding to nearest even.
    __m512 f = _mm512_mul_ps(_mm512_castsi512_ps(a), _mm512_set1_ps(k.sub_scale));
    __mmask16 sub = _mm512_cmplt_epi32_mask(a, set1((128u - k.bias) << 23));
    c = _mm512_mask_cvt_roundps_epi32(c, sub, f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    // NaN, then the sign: c | ((u >> 24) & 0x80).
    c = _mm512_mask_mov_epi32(c, _mm512_cmpgt_epi32_mask(a, set1(0x7f800000u)), set1(0x7fu));
    return _mm512_ternarylogic_epi32(c, _mm512_srli_epi32(u, 24), set1(0x80u), 0xf8);
}

// E4M3 codes -> floats: the code placed as fp16 bits (sign, 4 exponent + 3 mantissa bits) is the
// value * 2^-8, subnormals included; then the NaN codes (S.1111.111) are patched.
VQ_INLINE __m512 e4m3_dec16(__m128i b) {
    // Sign-extended to 16 bits and shifted by 7: bit 15 is the sign, bits 13..7 the code's low 7.
    __m256i h = _mm256_and_si256(_mm256_slli_epi16(_mm256_cvtepi8_epi16(b), 7), _mm256_set1_epi16((short)0xbf80));
    __m512 f = _mm512_mul_ps(_mm512_cvtph_ps(h), _mm512_set1_ps(256.0f));
    const __m256i all = _mm256_set1_epi16(0x3f80);
    __mmask16 nan = _mm256_cmpeq_epi16_mask(_mm256_and_si256(h, all), all);
    // (f & sign) | 0x7fc00000 in the NaN lanes.
    __m512i fi = _mm512_castps_si512(f);
    return _mm512_castsi512_ps(_mm512_mask_ternarylogic_epi32(fi, nan, set1(0x80000000u), set1(0x7fc00000u), 0xea));
}
// E5M2 codes are the top byte of an fp16.
VQ_INLINE __m512 e5m2_dec16(__m128i b) {
    return quiet_nans(_mm512_cvtph_ps(_mm256_slli_epi16(_mm256_cvtepu8_epi16(b), 8)));
}

// codes[i] = e4m3 / e5m2 of x[i] (Div: of x[i] / scale, a true division), n >= 0.
template <bool E5M2, bool Div>
VQ_INLINE void fp8_encode_n(const float *x, float scale, uint8_t *codes, int64_t n) {
    const __m512 s = _mm512_set1_ps(scale);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        if (Div) v = _mm512_div_ps(v, s);
        _mm_storeu_si128((__m128i *)(codes + i), _mm512_cvtepi32_epi8(fp8_enc16<E5M2>(v)));
    }
    if (i < n) {
        __mmask16 m = first_lanes(n - i);
        __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        if (Div) v = _mm512_maskz_div_ps(m, v, s);
        _mm512_mask_cvtepi32_storeu_epi8(codes + i, m, fp8_enc16<E5M2>(v));
    }
}

void fp8_encode_avx512(int32_t kind, const float *src, uint8_t *dst, int64_t n) {
    if (kind == VANE_FP8_E5M2) fp8_encode_n<true, false>(src, 1.0f, dst, n);
    else fp8_encode_n<false, false>(src, 1.0f, dst, n);
}

// y[i] = decode(codes[i]) (Mul: times scale).
template <bool E5M2, bool Mul>
VQ_INLINE void fp8_decode_n(const uint8_t *codes, float scale, float *y, int64_t n) {
    const __m512 s = _mm512_set1_ps(scale);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i b = _mm_loadu_si128((const __m128i *)(codes + i));
        __m512 f = E5M2 ? e5m2_dec16(b) : e4m3_dec16(b);
        _mm512_storeu_ps(y + i, Mul ? _mm512_mul_ps(f, s) : f);
    }
    if (i < n) {
        __mmask16 m = first_lanes(n - i);
        __m128i b = _mm_maskz_loadu_epi8(m, codes + i);
        __m512 f = E5M2 ? e5m2_dec16(b) : e4m3_dec16(b);
        _mm512_mask_storeu_ps(y + i, m, Mul ? _mm512_mul_ps(f, s) : f);
    }
}

void fp8_decode_avx512(int32_t kind, const uint8_t *src, float *dst, int64_t n) {
    if (kind == VANE_FP8_E5M2) fp8_decode_n<true, false>(src, 1.0f, dst, n);
    else fp8_decode_n<false, false>(src, 1.0f, dst, n);
}

// ---- planar FP8 (e4m3 codes + f32 scales) ----------------------------------------------------

// code = e4m3(x / scale); all 0 if scale == 0.
void encode_scaled(const float *x, float scale, uint8_t *codes, int64_t n) {
    if (scale == 0.0f) memset(codes, 0, (size_t)n);
    else fp8_encode_n<false, true>(x, scale, codes, n);
}

int32_t quant_fp8_row(const float *src, int64_t rows, int64_t cols, int64_t r0, int64_t r1, uint8_t *dst) {
    uint8_t *scales = dst + planar_scales_offset(rows, cols);
    for (int64_t r = r0; r < r1; r++) {
        const float *x = src + r * cols;
        uint32_t ab = amax_bits(x, cols);
        if (ab >= 0x7f800000u) return QUANT_NON_FINITE;
        float scale = f32_from_bits(ab) / 448.0f;
        put_f32(scales + 4 * r, scale);
        encode_scaled(x, scale, dst + r * cols, cols);
    }
    return QUANT_OK;
}

// Per band of 128 rows, in groups of up to 64 tile columns: first the maxima of the group's
// tiles (the rows read in order, a 16-lane running maximum per tile: exact, so the order does
// not change it), then the codes.
int32_t quant_fp8_b128(const float *src, int64_t rows, int64_t cols, int64_t r0, int64_t r1, uint8_t *dst) {
    const int64_t T = 128, kGroup = 64;
    int64_t tr0 = r0 / T, tr1 = ceil_div(r1, T), tiles_per_row = ceil_div(cols, T);
    uint8_t *scales = dst + planar_scales_offset(rows, cols);
    __m512i acc[kGroup];
    float sc[kGroup];
    for (int64_t tr = tr0; tr < tr1; tr++) {
        int64_t ra = tr * T, rb = ra + T < rows ? ra + T : rows;
        int64_t wa = ra > r0 ? ra : r0, wb = rb < r1 ? rb : r1;  // rows this call writes
        for (int64_t tg = 0; tg < tiles_per_row; tg += kGroup) {
            int64_t ng = tiles_per_row - tg < kGroup ? tiles_per_row - tg : kGroup;
            for (int64_t t = 0; t < ng; t++) acc[t] = _mm512_setzero_si512();
            for (int64_t r = ra; r < rb; r++) {
                for (int64_t t = 0; t < ng; t++) {
                    int64_t c0 = (tg + t) * T, n = c0 + T < cols ? T : cols - c0;
                    acc[t] = amax_bits_acc(acc[t], src + r * cols + c0, n);
                }
            }
            for (int64_t t = 0; t < ng; t++) {
                uint32_t ab = (uint32_t)_mm512_reduce_max_epu32(acc[t]);
                if (ab >= 0x7f800000u) return QUANT_NON_FINITE;
                sc[t] = f32_from_bits(ab) / 448.0f;
                put_f32(scales + 4 * (tr * tiles_per_row + tg + t), sc[t]);
            }
            for (int64_t r = wa; r < wb; r++) {
                for (int64_t t = 0; t < ng; t++) {
                    int64_t c0 = (tg + t) * T, n = c0 + T < cols ? T : cols - c0;
                    encode_scaled(src + r * cols + c0, sc[t], dst + r * cols + c0, n);
                }
            }
        }
    }
    return QUANT_OK;
}

void dequant_fp8_planar(int32_t format, const uint8_t *src, int64_t rows, int64_t cols, int64_t r0, int64_t r1,
                        float *dst) {
    const uint8_t *scales = src + planar_scales_offset(rows, cols);
    int64_t tiles_per_row = ceil_div(cols, 128);
    for (int64_t r = r0; r < r1; r++) {
        if (format == VANE_FORMAT_FP8_E4M3_ROW) {
            fp8_decode_n<false, true>(src + r * cols, get_f32(scales + 4 * r), dst + r * cols, cols);
            continue;
        }
        for (int64_t tc = 0; tc < tiles_per_row; tc++) {
            int64_t ca = tc * 128, n = ca + 128 < cols ? 128 : cols - ca;
            float scale = get_f32(scales + 4 * ((r / 128) * tiles_per_row + tc));
            fp8_decode_n<false, true>(src + r * cols + ca, scale, dst + r * cols + ca, n);
        }
    }
}

// ---- unscaled formats (flat over the rows' elements) -----------------------------------------

// Converts n floats with Conv (16 lanes -> a vector of 16 outputs, stored by Store / MaskStore)
// while checking them: QUANT_NON_FINITE if any is NaN or Inf.
template <class Conv, class Store, class MaskStore>
VQ_INLINE int32_t convert_checked(const float *x, int64_t n, Conv conv, Store store, MaskStore mask_store) {
    __mmask16 bad = 0;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        bad |= non_finite(v);
        store(i, conv(v));
    }
    if (i < n) {
        __mmask16 m = first_lanes(n - i);
        __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        bad |= non_finite(v);
        mask_store(i, m, conv(v));
    }
    return bad ? QUANT_NON_FINITE : QUANT_OK;
}

int32_t quant_f32(const float *x, float *y, int64_t n) {
    return convert_checked(
        x, n, [](__m512 v) { return v; }, [&](int64_t i, __m512 v) { _mm512_storeu_ps(y + i, v); },
        [&](int64_t i, __mmask16 m, __m512 v) { _mm512_mask_storeu_ps(y + i, m, v); });
}

int32_t quant_f16(const float *x, uint8_t *dst, int64_t n) {
    return convert_checked(
        x, n, [](__m512 v) { return _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); },
        [&](int64_t i, __m256i h) { _mm256_storeu_si256((__m256i *)(dst + 2 * i), h); },
        [&](int64_t i, __mmask16 m, __m256i h) { _mm256_mask_storeu_epi16(dst + 2 * i, m, h); });
}

// Finite inputs: round to nearest even on the top 16 bits, as f32_to_bf16_bits.
VQ_INLINE __m256i bf16_round16(__m512 x) {
    __m512i u = _mm512_castps_si512(x);
    __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), set1(1u));
    return _mm512_cvtepi32_epi16(_mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(u, set1(0x7fffu)), lsb), 16));
}

int32_t quant_bf16(const float *x, uint8_t *dst, int64_t n) {
    return convert_checked(
        x, n, [](__m512 v) { return bf16_round16(v); },
        [&](int64_t i, __m256i h) { _mm256_storeu_si256((__m256i *)(dst + 2 * i), h); },
        [&](int64_t i, __mmask16 m, __m256i h) { _mm256_mask_storeu_epi16(dst + 2 * i, m, h); });
}

// 16-bit codes -> floats with Dec (16 codes in a __m256i -> 16 floats).
template <class Dec>
VQ_INLINE void decode_u16(const uint8_t *src, float *y, int64_t n, Dec dec) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, dec(_mm256_loadu_si256((const __m256i *)(src + 2 * i))));
    if (i < n) {
        __mmask16 m = first_lanes(n - i);
        _mm512_mask_storeu_ps(y + i, m, dec(_mm256_maskz_loadu_epi16(m, src + 2 * i)));
    }
}

void dequant_f16(const uint8_t *src, float *y, int64_t n) {
    decode_u16(src, y, n, [](__m256i h) { return quiet_nans(_mm512_cvtph_ps(h)); });
}

void dequant_bf16(const uint8_t *src, float *y, int64_t n) {
    decode_u16(src, y, n, [](__m256i h) { return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16)); });
}

// ---- the kernel-table entries ----------------------------------------------------------------

int32_t quantize_avx512(int32_t format, const float *src, int64_t rows, int64_t cols, int64_t r0, int64_t r1,
                        void *dst_v) {
    uint8_t *dst = (uint8_t *)dst_v;
    const float *x = src + r0 * cols;
    int64_t n = (r1 - r0) * cols;
    switch (format) {
        case VANE_FORMAT_F32: return quant_f32(x, (float *)dst + r0 * cols, n);
        case VANE_FORMAT_F16: return quant_f16(x, dst + 2 * r0 * cols, n);
        case VANE_FORMAT_BF16: return quant_bf16(x, dst + 2 * r0 * cols, n);
        case VANE_FORMAT_FP8_E4M3_ROW: return quant_fp8_row(src, rows, cols, r0, r1, dst);
        case VANE_FORMAT_FP8_E4M3_B128: return quant_fp8_b128(src, rows, cols, r0, r1, dst);
        default: break;
    }
    if (!quant_blocks_avx512_handles(format)) return quant_kernels_avx2.quantize(format, src, rows, cols, r0, r1, dst_v);
    const FormatTraits &f = *format_traits(format);
    int64_t nb = cols / f.block_elems;  // a row's blocks follow the previous row's
    return quantize_blocks_avx512(format, x, (r1 - r0) * nb, dst + r0 * nb * f.block_bytes);
}

void dequantize_avx512(int32_t format, const void *src_v, int64_t rows, int64_t cols, int64_t r0, int64_t r1,
                       float *dst) {
    const uint8_t *src = (const uint8_t *)src_v;
    int64_t n = (r1 - r0) * cols;
    switch (format) {
        case VANE_FORMAT_F32: memcpy(dst + r0 * cols, src + 4 * r0 * cols, (size_t)(4 * n)); return;
        case VANE_FORMAT_F16: dequant_f16(src + 2 * r0 * cols, dst + r0 * cols, n); return;
        case VANE_FORMAT_BF16: dequant_bf16(src + 2 * r0 * cols, dst + r0 * cols, n); return;
        case VANE_FORMAT_FP8_E4M3_ROW:
        case VANE_FORMAT_FP8_E4M3_B128: dequant_fp8_planar(format, src, rows, cols, r0, r1, dst); return;
        default: break;
    }
    if (!quant_blocks_avx512_handles(format)) return quant_kernels_avx2.dequantize(format, src_v, rows, cols, r0, r1, dst);
    const FormatTraits &f = *format_traits(format);
    int64_t nb = cols / f.block_elems;
    dequantize_blocks_avx512(format, src + r0 * nb * f.block_bytes, (r1 - r0) * nb, dst + r0 * cols);
}

#undef VQ_INLINE

}  // namespace avx512
}  // namespace

const QuantKernels quant_kernels_avx512 = {avx512::fp8_encode_avx512, avx512::fp8_decode_avx512, avx512::quantize_avx512,
                                           avx512::dequantize_avx512};

}  // namespace vane
