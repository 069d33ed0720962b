// Deliberately wrong: AVX-512 code in a unit the ISA check must treat as AVX2 (by its name). The
// test avx2_isa_check_catches_avx512 proves check_baseline_isa.py flags it. Never linked into libvane.
#include <immintrin.h>

extern "C" void vane_isa_canary_avx512(float *p) {
    _mm512_storeu_ps(p, _mm512_add_ps(_mm512_loadu_ps(p), _mm512_set1_ps(1.0f)));
}
