// The activation quantizers of GGUF's other formats (gemm/ggml_dot.h): each row of x into the
// q8_0, q8_1 or q8_K blocks llama.cpp's dot products take, byte for byte as ggml's
// quantize_row_q8_{0,1,K}_ref, except that a block holding a NaN or an Inf gets d = NaN (s = NaN,
// q = 0, bsums = 0) so that the outputs it reaches are NaN. Baseline code: every variant's
// GEMM uses these, so the activations are the same bytes whatever variant runs.
#include <math.h>
#include <string.h>

#include "gemm/ggml_dot.h"
#include "quant/scalar.h"

namespace vane {

namespace {

constexpr uint16_t kF16Nan = 0x7e00;

bool finite_block(const float *x, int n) {
    for (int j = 0; j < n; j++)
        if (!isfinite(x[j])) return false;
    return true;
}

// amax / 127 and its inverse, as ggml's q8_0 / q8_1 reference.
float absmax(const float *x, int n) {
    float amax = 0.0f;
    for (int j = 0; j < n; j++) amax = fabsf(x[j]) > amax ? fabsf(x[j]) : amax;
    return amax;
}

// 1 / d, or 0 where d is 0 or so small (below 2^-128) that 1 / d overflows: such a block's fp16
// d is 0 anyway, and q = 0 keeps the bytes defined (ggml's cast of an infinite product is not).
float inverse(float d) {
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    return isfinite(id) ? id : 0.0f;
}

// ggml's nearest_int: round half to even through the 1.5 * 2^23 trick (|v| <= 2^22).
int nearest_int(float v) {
    const float t = v + 12582912.0f;
    int32_t i;
    memcpy(&i, &t, 4);
    return (i & 0x007fffff) - 0x00400000;
}

}  // namespace

void quantize_act_q8_0(const float *x, act_q8_0 *y, int64_t k) {
    for (int64_t b = 0; b < k / 32; b++, x += 32) {
        act_q8_0 &o = y[b];
        if (!finite_block(x, 32)) {
            o.d = kF16Nan;
            memset(o.qs, 0, 32);
            continue;
        }
        const float d = absmax(x, 32) / 127.0f;
        const float id = inverse(d);
        o.d = f32_to_f16_bits(d);
        for (int j = 0; j < 32; j++) o.qs[j] = (int8_t)roundf(x[j] * id);
    }
}

void quantize_act_q8_1(const float *x, act_q8_1 *y, int64_t k) {
    for (int64_t b = 0; b < k / 32; b++, x += 32) {
        act_q8_1 &o = y[b];
        if (!finite_block(x, 32)) {
            o.d = o.s = kF16Nan;
            memset(o.qs, 0, 32);
            continue;
        }
        const float d = absmax(x, 32) / 127.0f;
        const float id = inverse(d);
        o.d = f32_to_f16_bits(d);
        int sum = 0;
        for (int j = 0; j < 32; j++) {
            o.qs[j] = (int8_t)roundf(x[j] * id);
            sum += o.qs[j];
        }
        o.s = f32_to_f16_bits((float)sum * d);
    }
}

void quantize_act_q8_k(const float *x, act_q8_k *y, int64_t k) {
    for (int64_t b = 0; b < k / 256; b++, x += 256) {
        act_q8_k &o = y[b];
        memset(o.bsums, 0, sizeof o.bsums);
        if (!finite_block(x, 256)) {
            o.d = __builtin_nanf("");
            memset(o.qs, 0, 256);
            continue;
        }
        // The element of largest magnitude, the first one on ties; its sign sets the scale's.
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < 256; j++) {
            if (fabsf(x[j]) > amax) {
                amax = fabsf(x[j]);
                max = x[j];
            }
        }
        // -127 / max overflows only for |max| < 2^-126 * 0.75: treated as the zero block it
        // nearly is (ggml's result there is undefined).
        if (amax == 0.0f || !isfinite(-127.0f / max)) {
            o.d = 0.0f;
            memset(o.qs, 0, 256);
            continue;
        }
        const float iscale = -127.0f / max;
        for (int j = 0; j < 256; j++) {
            const int v = nearest_int(iscale * x[j]);
            o.qs[j] = (int8_t)(v < 127 ? v : 127);
        }
        for (int g = 0; g < 16; g++) {
            int sum = 0;
            for (int j = 0; j < 16; j++) sum += o.qs[16 * g + j];
            o.bsums[g] = (int16_t)sum;
        }
        o.d = 1.0f / iscale;
    }
}

}  // namespace vane
