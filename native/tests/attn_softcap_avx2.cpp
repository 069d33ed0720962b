// softcap_tanh8 (attn/softcap.h) compiled for AVX2, so that test_attn_features can hold it to the
// scalar softcap_tanh bit for bit. Called only where the CPU has AVX2.
#include "attn/softcap.h"

void test_softcap_tanh8(const float *x, float *y, long n) {
    for (long i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, vane::softcap_tanh8(_mm256_loadu_ps(x + i)));
}
