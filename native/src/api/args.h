// Checks shared by the exported entry points (baseline code).
#pragma once
#include <stdint.h>

namespace vane {

// Whether [a, a + a_bytes) and [b, b + b_bytes) share a byte (empty ranges share none): kernels
// read one buffer while the pool's threads write another, so in-place use would read clobbered
// input.
inline bool overlaps(const void *a, int64_t a_bytes, const void *b, int64_t b_bytes) {
    const uintptr_t a0 = reinterpret_cast<uintptr_t>(a), b0 = reinterpret_cast<uintptr_t>(b);
    return a_bytes > 0 && b_bytes > 0 && a0 < b0 + static_cast<uintptr_t>(b_bytes) && b0 < a0 + static_cast<uintptr_t>(a_bytes);
}

}  // namespace vane
