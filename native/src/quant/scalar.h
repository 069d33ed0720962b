// Scalar number-format conversions shared by every variant of the quant family.
//
// Everything here is `static inline` (internal linkage) on purpose: this header is included by
// ref.cpp (baseline flags) and by x86_avx2.cpp (compiled with -mavx2 -mfma -mf16c) for its
// scalar tails. An ordinary `inline` function or a template would be a weak symbol emitted by
// both translation units, and the linker may keep the AVX2 copy for baseline callers (SIGILL on
// older CPUs). With internal linkage each translation unit keeps its own copy.
//
// They are also always inlined, so neither object has an out-of-line copy under the same name
// (which would make an AVX2-encoded function look shared to check_baseline_isa.py).
//
// The conversions use integer arithmetic on the float bits, so they do not depend on the
// floating-point rounding mode, and the AVX2 variant can reproduce them bit for bit.
#pragma once
#include <math.h>
#include <stdint.h>
#include <string.h>

namespace vane {

#define VANE_SCALAR_FN static inline __attribute__((always_inline))

VANE_SCALAR_FN uint32_t f32_bits(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

VANE_SCALAR_FN float f32_from_bits(uint32_t u) {
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

// Unaligned little-endian field access inside packed blocks (x86 is little-endian).
VANE_SCALAR_FN void put_u16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
VANE_SCALAR_FN void put_f32(uint8_t *p, float v) { memcpy(p, &v, 4); }
VANE_SCALAR_FN uint16_t get_u16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}
VANE_SCALAR_FN float get_f32(const uint8_t *p) {
    float v;
    memcpy(&v, p, 4);
    return v;
}

// v >> s rounded to nearest, ties to even (1 <= s <= 31, v + 2^(s-1) must not overflow).
VANE_SCALAR_FN uint32_t rne_shift_right(uint32_t v, uint32_t s) {
    return (v + ((1u << (s - 1)) - 1u) + ((v >> s) & 1u)) >> s;
}

// ---- IEEE binary16 -------------------------------------------------------------------------

// f32 -> fp16 bits: round to nearest even; overflow (|x| >= 65520) -> Inf; NaN stays NaN
// (quieted, the top 10 payload bits kept, as F16C's vcvtps2ph does).
VANE_SCALAR_FN uint16_t f32_to_f16_bits(float x) {
    uint32_t u = f32_bits(x);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u) return (uint16_t)(sign | 0x7e00u | ((a >> 13) & 0x3ffu));  // NaN
    if (a >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u);  // rounds past 65504: Inf
    if (a >= 0x38800000u) {                                   // fp16 normal (>= 2^-14)
        // Rebias the exponent 127 -> 15 and round the mantissa 23 -> 10 bits. A carry out of
        // the mantissa correctly bumps the exponent.
        return (uint16_t)(sign | rne_shift_right(a - 0x38000000u, 13));
    }
    if (a < 0x33000000u) return sign;  // below 2^-25 (or exactly 2^-25, a tie to 0): zero
    // fp16 subnormal: result = |x| * 2^24 rounded; |x| = mant * 2^(e - 150).
    uint32_t e = a >> 23;
    uint32_t mant = (a & 0x7fffffu) | 0x800000u;
    return (uint16_t)(sign | rne_shift_right(mant, 126u - e));
}

// fp16 bits -> f32, exact. NaN payloads are kept and quieted (as F16C's vcvtph2ps does).
VANE_SCALAR_FN float f16_bits_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t e = (h >> 10) & 0x1fu;
    uint32_t m = h & 0x3ffu;
    if (e == 0) {  // zero or subnormal: m * 2^-24, exact in f32
        float v = (float)m * 0x1p-24f;
        return f32_from_bits(sign | f32_bits(v));
    }
    if (e == 31) {  // Inf or NaN
        return f32_from_bits(sign | 0x7f800000u | (m << 13) | (m != 0 ? 0x400000u : 0u));
    }
    return f32_from_bits(sign | ((e + 112u) << 23) | (m << 13));
}

// ---- bfloat16 ------------------------------------------------------------------------------

// f32 -> bf16 bits: round to nearest even (overflow -> Inf); NaN stays a quiet NaN.
VANE_SCALAR_FN uint16_t f32_to_bf16_bits(float x) {
    uint32_t u = f32_bits(x);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u);
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

VANE_SCALAR_FN float bf16_bits_to_f32(uint16_t h) { return f32_from_bits((uint32_t)h << 16); }

// ---- FP8 (OCP 8-bit floating point) ---------------------------------------------------------
//
// E4M3 (E4M3FN): bias 7, 3 mantissa bits, no Inf, S.1111.111 is NaN, max 448 (0x7E).
// E5M2: bias 15, 2 mantissa bits, IEEE Inf (0x7C) and NaN (0x7D..0x7F), max 57344 (0x7B).
// Encode: round to nearest even; any |x| above the largest finite value (Inf included)
// saturates to +-max; NaN -> 0x7F | sign. The sign of zero (and of values that round to zero)
// is kept.

// mbits: mantissa bits; bias: exponent bias; max_f32: bits of the largest finite value.
VANE_SCALAR_FN uint8_t fp8_encode_generic(float x, uint32_t mbits, uint32_t bias, uint32_t max_f32,
                                         uint8_t max_code) {
    uint32_t u = f32_bits(x);
    uint8_t sign = (uint8_t)((u >> 24) & 0x80u);
    uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u) return (uint8_t)(sign | 0x7fu);   // NaN
    if (a >= max_f32) return (uint8_t)(sign | max_code);     // saturate (Inf included)
    if (a >= (128u - bias) << 23) {                          // normal: |x| >= 2^(1 - bias)
        // Rebias 127 -> bias, round the mantissa 23 -> mbits bits. Cannot pass max_code: every
        // value below max rounds to at most max.
        return (uint8_t)(sign | rne_shift_right(a - ((127u - bias) << 23), 23u - mbits));
    }
    // Subnormal: code = |x| * 2^(bias - 1 + mbits) rounded; |x| = mant * 2^(e - 150).
    uint32_t e = a >> 23;
    uint32_t shift = 151u - bias - mbits - e;  // >= 24 - mbits
    if (e == 0 || shift >= 25u) return sign;   // below half the smallest subnormal
    uint32_t mant = (a & 0x7fffffu) | 0x800000u;
    return (uint8_t)(sign | rne_shift_right(mant, shift));
}

VANE_SCALAR_FN uint8_t f32_to_e4m3(float x) { return fp8_encode_generic(x, 3, 7, 0x43e00000u, 0x7e); }
VANE_SCALAR_FN uint8_t f32_to_e5m2(float x) { return fp8_encode_generic(x, 2, 15, 0x47600000u, 0x7b); }

// E4M3 -> f32, exact. 0x7F / 0xFF -> quiet NaN (0x7FC00000 with the code's sign).
VANE_SCALAR_FN float e4m3_to_f32(uint8_t c) {
    uint32_t sign = (uint32_t)(c & 0x80u) << 24;
    uint32_t e = (c >> 3) & 0xfu;
    uint32_t m = c & 7u;
    if ((c & 0x7fu) == 0x7fu) return f32_from_bits(sign | 0x7fc00000u);
    if (e == 0) {  // subnormal: m * 2^-9
        float v = (float)m * 0x1p-9f;
        return f32_from_bits(sign | f32_bits(v));
    }
    return f32_from_bits(sign | ((e + 120u) << 23) | (m << 20));
}

// E5M2 is the top byte of an fp16: exact, Inf stays Inf, NaN codes give (quiet) NaNs.
VANE_SCALAR_FN float e5m2_to_f32(uint8_t c) { return f16_bits_to_f32((uint16_t)((uint16_t)c << 8)); }

// ---- helpers for the block formats ---------------------------------------------------------

// What x86's cvttss2si (C's float -> int truncation) gives: INT32_MIN for NaN or out of range.
// GGUF's reference quantizers cast float -> int8_t; on x86 that is this value's low byte.
VANE_SCALAR_FN int32_t x86_cvtt_i32(float v) {
    if (v >= -2147483648.0f && v < 2147483648.0f) return (int32_t)v;
    return INT32_MIN;
}

VANE_SCALAR_FN int fp16_bits_finite(uint16_t h) { return (h & 0x7c00u) != 0x7c00u; }

#undef VANE_SCALAR_FN

}  // namespace vane
