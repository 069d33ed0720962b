// Independent fp16 / bf16 decoders for the native tests (ldexp on the fields), not the code
// under test.
#pragma once
#include <math.h>
#include <stdint.h>

namespace {

inline double half_value(uint16_t h) {
    int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
    double v;
    if (e == 31) v = m ? NAN : INFINITY;
    else if (e == 0) v = ldexp((double)m, -24);
    else v = ldexp(1.0 + m / 1024.0, e - 15);
    return s ? -v : v;
}
inline double bf16_value(uint16_t h) {
    int s = h >> 15, e = (h >> 7) & 255, m = h & 127;
    double v;
    if (e == 255) v = m ? NAN : INFINITY;
    else if (e == 0) v = ldexp((double)m, -133);
    else v = ldexp(1.0 + m / 128.0, e - 127);
    return s ? -v : v;
}

}  // namespace
