// softcap_tanh16 (attn/softcap.h) compiled for AVX-512, so that test_attn_features can hold it to
// the scalar softcap_tanh bit for bit. Called only where the CPU has what the AVX-512 kernels need.
#include <immintrin.h>

// GCC 12 reports _mm512_undefined_*() inside the intrinsics as maybe used uninitialized.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "attn/softcap.h"

void test_softcap_tanh16(const float *x, float *y, long n) {
    for (long i = 0; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, vane::softcap_tanh16(_mm512_loadu_ps(x + i)));
}
