// Deliberately wrong: AVX2 code in a unit the ISA check must treat as baseline. The test
// baseline_isa_check_catches_leaks proves check_baseline_isa.py flags it (a check that cannot
// fail proves nothing). Never linked into libvane.
#include <immintrin.h>

extern "C" void vane_isa_canary(float *p) {
    _mm256_storeu_ps(p, _mm256_add_ps(_mm256_loadu_ps(p), _mm256_set1_ps(1.0f)));
}
