// What every libvane fuzz harness shares: reading an input as fields then payload, the sizes it
// draws (small ones, or a hostile value from a fixed table), buffers of exactly the size the
// contract names (so AddressSanitizer sees a read or write one byte past them), and the rule
// that a call the contract says must fail does fail.
//
// Input layout, front to back: one byte picking the CPU variant, then each harness's fields in
// the order it reads them (little-endian), then the payload (the harness's data: weight bytes,
// block table entries, logits...). Reads past the end give zeros. Seeds (make_seeds.cpp) are
// written with Output, the same layout.
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vector>

#include "vane.h"

namespace fuzz {

// Values that break size arithmetic: signs, the int32 and int64 edges, powers of two near the
// bounds libvane documents (2^31 blocks, 2^40 positions, 2^48 and 2^58 elements, 2^60 bytes).
static const int64_t kHostile[16] = {
    -1, 0, 1, INT32_MAX, INT32_MIN, int64_t(1) << 31, int64_t(1) << 32, INT64_MAX,
    INT64_MIN, int64_t(1) << 40, int64_t(1) << 48, int64_t(1) << 58, int64_t(1) << 60, int64_t(1) << 62, -(int64_t(1) << 62), 3 * (int64_t(1) << 61),
};

// The largest buffer a harness allocates for one argument; bigger valid calls are skipped.
constexpr int64_t kMaxBytes = int64_t(8) << 20;

class Input {
   public:
    Input(const uint8_t *data, size_t size) : p_(data), n_(size) {}

    uint64_t bits(int bytes) {
        uint64_t v = 0;
        for (int i = 0; i < bytes; i++) v |= uint64_t(byte()) << (8 * i);
        return v;
    }
    uint8_t u8() { return uint8_t(bits(1)); }
    int32_t i32() { return int32_t(bits(4)); }
    float f32() {
        uint32_t u = uint32_t(bits(4));
        float f;
        memcpy(&f, &u, 4);
        return f;
    }
    // A size: two bytes; top bit clear: the low 15 bits modulo max + 1; set: kHostile[low 4 bits].
    int64_t size(int64_t max) {
        const uint16_t v = uint16_t(bits(2));
        return v & 0x8000 ? kHostile[v & 15] : int64_t(v & 0x7fff) % (max + 1);
    }
    // The rest of the input.
    const uint8_t *rest() const { return p_; }
    size_t left() const { return n_; }

   private:
    uint8_t byte() {
        if (n_ == 0) return 0;
        n_--;
        return *p_++;
    }
    const uint8_t *p_;
    size_t n_;
};

// The inverse of Input, for seeds.
class Output {
   public:
    void bits(uint64_t v, int bytes) {
        for (int i = 0; i < bytes; i++) b_.push_back(uint8_t(v >> (8 * i)));
    }
    void u8(uint8_t v) { bits(v, 1); }
    void i32(int32_t v) { bits(uint32_t(v), 4); }
    void f32(float f) {
        uint32_t u;
        memcpy(&u, &f, 4);
        bits(u, 4);
    }
    void size(int64_t v) { bits(uint64_t(v) & 0x7fff, 2); }  // a small size, v < 2^15
    void raw(const void *p, size_t n) { b_.insert(b_.end(), (const uint8_t *)p, (const uint8_t *)p + n); }
    bool write(const char *path) const {
        FILE *f = fopen(path, "wb");
        if (!f) return false;
        const bool ok = fwrite(b_.data(), 1, b_.size(), f) == b_.size();
        return fclose(f) == 0 && ok;
    }

   private:
    std::vector<uint8_t> b_;
};

// A heap buffer of exactly n elements (at least one byte allocated, so a pointer is never null).
// n must be affordable: a harness that asks for more has a bug of its own (it aborts, naming it).
template <class T>
class Buf {
   public:
    explicit Buf(int64_t n) : n_(n), p_(static_cast<T *>(malloc(n > 0 && n <= kMaxBytes ? size_t(n) * sizeof(T) : 1))) {
        if (n < 0 || n > kMaxBytes || !p_) {
            fprintf(stderr, "fuzz harness bug: a buffer of %lld elements\n", (long long)n);
            abort();
        }
    }
    ~Buf() { free(p_); }
    Buf(const Buf &) = delete;
    Buf &operator=(const Buf &) = delete;
    T *get() const { return p_; }
    int64_t size() const { return n_; }
    // Fills with the payload's bytes, repeated (zeros when it is empty).
    void fill(const uint8_t *data, size_t bytes) {
        uint8_t *d = reinterpret_cast<uint8_t *>(p_);
        const size_t total = n_ > 0 ? size_t(n_) * sizeof(T) : 0;
        for (size_t i = 0; i < total; i++) d[i] = bytes ? data[i % bytes] : 0;
    }

   private:
    int64_t n_;
    T *p_;
};

// Whether a buffer of n elements of `elem` bytes is affordable (n >= 0, at most kMaxBytes).
inline bool affordable(int64_t n, int64_t elem) { return n >= 0 && n <= kMaxBytes / elem; }

// a * b, or -1 when it overflows or either is negative.
inline int64_t mul(int64_t a, int64_t b) {
    int64_t r;
    if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &r)) return -1;
    return r;
}

// A finding: libvane accepted a call its contract says it must refuse, or produced output that
// breaks the contract. Aborts so that libFuzzer saves the input.
[[noreturn]] inline void contract(const char *what, vane_status s) {
    fprintf(stderr, "contract broken: %s (status %d, last error: %s)\n", what, s, vane_last_error());
    abort();
}

// A signalling NaN: arithmetic only returns quiet ones, so an output float that still holds it
// after a call was never written.
constexpr uint32_t kUnwritten = 0x7fa00001u;

inline void poison(float *p, int64_t n) {
    for (int64_t i = 0; i < n; i++) memcpy(p + i, &kUnwritten, 4);
}

// Whether any of n floats still holds the poison.
inline bool any_unwritten(const float *p, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, p + i, 4);
        if (u == kUnwritten) return true;
    }
    return false;
}

inline void must_fail(vane_status s, const char *what) {
    if (s == VANE_OK) contract(what, s);
}

// The first byte of every input picks the CPU variant (one the CPU lacks stays on the current).
inline void select_cpu(Input &in) {
    static const int32_t isas[3] = {VANE_ISA_BASELINE, VANE_ISA_AVX2, VANE_ISA_AVX512};
    vane_cpu_select(isas[in.u8() % 3]);
}

inline void write_cpu(Output &out, int isa) { out.u8(uint8_t(isa)); }

}  // namespace fuzz
