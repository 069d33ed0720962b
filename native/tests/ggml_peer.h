// The outside implementation the format tests agree with: llama.cpp's ggml, as the prebuilt
// index.node of npm's @fugood/node-llama-linux-x64 (ci/fetch-llama-cpp.sh puts it in
// build/llama-cpp/). Its functions are looked up by name with dlopen/dlsym; the library is
// opened once, RTLD_LOCAL, so its symbols never mix with libvane's. VANE_GGML_PEER overrides the
// path. A missing library or symbol fails the test with a message saying how to fetch it: the
// agreement checks are never skipped.
#pragma once
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef VANE_GGML_PEER_DEFAULT
#define VANE_GGML_PEER_DEFAULT "build/llama-cpp/index.node"
#endif

// ggml's type ids (ggml.h, fixed by the GGUF format).
enum GgmlType : int32_t {
    GGML_F32 = 0, GGML_F16 = 1, GGML_Q4_0 = 2, GGML_Q4_1 = 3, GGML_Q5_0 = 6, GGML_Q5_1 = 7,
    GGML_Q8_0 = 8, GGML_Q8_1 = 9, GGML_Q2_K = 10, GGML_Q3_K = 11, GGML_Q4_K = 12, GGML_Q5_K = 13,
    GGML_Q6_K = 14, GGML_Q8_K = 15, GGML_IQ4_NL = 20, GGML_IQ4_XS = 23, GGML_BF16 = 30, GGML_MXFP4 = 39
};

// What ggml_get_type_traits_cpu returns (ggml-cpu.h).
typedef void (*ggml_peer_vec_dot_t)(int n, float *s, size_t bs, const void *x, size_t bx, const void *y, size_t by, int nrc);
struct ggml_peer_traits_cpu {
    void (*from_float)(const float *x, void *y, int64_t k);
    ggml_peer_vec_dot_t vec_dot;
    int32_t vec_dot_type;
    int64_t nrows;
};

static inline void *ggml_peer_handle() {
    static void *h = nullptr;
    if (!h) {
        const char *path = getenv("VANE_GGML_PEER");
        if (!path || !*path) path = VANE_GGML_PEER_DEFAULT;
        h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
        if (!h) {
            fprintf(stderr, "FAIL: cannot open llama.cpp's library %s (%s): run ci/fetch-llama-cpp.sh, or set VANE_GGML_PEER\n", path, dlerror());
            exit(1);
        }
    }
    return h;
}

// The peer's function `name`, cast to T; exits with a message if it is missing.
template <class T>
static inline T ggml_peer(const char *name) {
    void *f = dlsym(ggml_peer_handle(), name);
    if (!f) {
        fprintf(stderr, "FAIL: llama.cpp's library has no symbol %s\n", name);
        exit(1);
    }
    return (T)f;
}

// quantize_row_<t>_ref(const float *x, void *y, int64_t k) and dequantize_row_<t>(const void *x, float *y, int64_t k).
typedef void (*ggml_peer_quantize_t)(const float *x, void *y, int64_t k);
typedef void (*ggml_peer_dequantize_t)(const void *x, float *y, int64_t k);

// ggml_get_type_traits_cpu(type): from_float (the CPU's activation quantizer), vec_dot, vec_dot_type.
static inline const ggml_peer_traits_cpu *ggml_peer_traits(int32_t type) {
    typedef const ggml_peer_traits_cpu *(*get_t)(int32_t);
    static get_t get = nullptr;
    if (!get) {
        ggml_peer<void (*)(void)>("ggml_cpu_init")();  // fills the fp16 tables vec_dot uses
        get = ggml_peer<get_t>("ggml_get_type_traits_cpu");
    }
    return get(type);
}
