// attn_bench: times vane_attention (f32 k, v) and vane_attention_cached (f16 and FP8 paged
// caches) under each SIMD variant in the same run, the variants interleaved call by call so that
// a shared machine's noise falls on both alike. Not a test; built only with -DVANE_BUILD_BENCH=ON:
//
//   cmake --build build/bench -j2 --target attn_bench
//   build/bench/native/attn_bench [decode|prefill|all] [runs] [threads]
//
// Shapes: Qwen2-0.5B (14 query heads, 2 KV heads, head_dim 64) and 32 / 8 heads at head_dim 128
// (Llama-3-8B); decode: one query over n_kv = 512, 1024, 2048, 4096 cached positions; prefill:
// n_q = n_kv = 512, causal. Caches in blocks of 16 positions, the table in order. Reported per
// case: the median microseconds per call over `runs` batches (each batch long enough to time),
// per variant, and avx2 / avx512.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "vane.h"

namespace {

double now_s() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> t) {
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

uint64_t rng_state = 88172645463325252ull;
float normal() {
    double s = 0;
    for (int i = 0; i < 3; i++) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        s += (double)(rng_state >> 11) * 0x1p-53;
    }
    return (float)((s - 1.5) * 2.0);
}

void check(vane_status s, const char *what) {
    if (s != VANE_OK) {
        fprintf(stderr, "%s: %s\n", what, vane_last_error());
        exit(1);
    }
}

struct Shape {
    const char *name;
    int64_t heads, kv_heads, d;
};

// One case: k, v as f32 arrays (dtype < 0) or a paged cache of that dtype.
void run_case(const Shape &sh, int32_t dtype, int64_t n_q, int64_t n_kv, int runs, const std::vector<int32_t> &isas) {
    const int64_t d = sh.d, kvh = sh.kv_heads, bt = 16;
    std::vector<float> q((size_t)(n_q * sh.heads * d)), k((size_t)(n_kv * kvh * d)), v(k.size()), out(q.size());
    for (float &x : q) x = normal();
    for (float &x : k) x = normal();
    for (float &x : v) x = normal();
    const vane_attention_params p{sh.heads, kvh, d, 1.0f / sqrtf((float)d), 1, 0, 0.0f, nullptr};
    const int64_t nb = (n_kv + bt - 1) / bt;
    vane_kv_cache c{dtype < 0 ? VANE_KV_F32 : dtype, 0, kvh, d, bt, nb, nullptr, nullptr, nullptr, nullptr};
    std::vector<uint8_t> km, vm;
    std::vector<float> ks, vs;
    std::vector<int32_t> table((size_t)nb);
    if (dtype >= 0) {
        int64_t kv_bytes = 0, scale_bytes = 0;
        check(vane_kv_cache_bytes(&c, &kv_bytes, &scale_bytes), "cache bytes");
        km.resize((size_t)kv_bytes);
        vm.resize((size_t)kv_bytes);
        ks.resize((size_t)scale_bytes / 4 + 1);
        vs.resize(ks.size());
        c.k = km.data();
        c.v = vm.data();
        c.k_scales = dtype == VANE_KV_FP8_E4M3 ? ks.data() : nullptr;
        c.v_scales = dtype == VANE_KV_FP8_E4M3 ? vs.data() : nullptr;
        for (int64_t b = 0; b < nb; b++) table[(size_t)b] = (int32_t)b;
        check(vane_kv_write(&c, table.data(), nb, 0, k.data(), v.data(), n_kv), "kv write");
    }
    auto call = [&]() {
        if (dtype < 0) check(vane_attention(&p, q.data(), n_q, k.data(), v.data(), n_kv, out.data()), "attention");
        else check(vane_attention_cached(&p, q.data(), n_q, &c, table.data(), nb, n_kv, nullptr, out.data()), "attention_cached");
    };
    // Calls per batch: about 2 ms of the first variant.
    check(vane_cpu_select(isas[0]), "select");
    call();
    double t0 = now_s();
    call();
    const int calls = std::max(1, (int)(2e-3 / std::max(now_s() - t0, 1e-7)));
    std::vector<std::vector<double>> times(isas.size());
    for (int r = 0; r < runs + 2; r++)
        for (size_t i = 0; i < isas.size(); i++) {
            check(vane_cpu_select(isas[i]), "select");
            t0 = now_s();
            for (int n = 0; n < calls; n++) call();
            if (r >= 2) times[i].push_back((now_s() - t0) / calls * 1e6);  // two warm-up batches
        }
    const char *dt = dtype < 0 ? "f32" : dtype == VANE_KV_F16 ? "f16" : "fp8";
    printf("%-10s %-4s n_q %4lld n_kv %5lld", sh.name, dt, (long long)n_q, (long long)n_kv);
    std::vector<double> med;
    for (size_t i = 0; i < isas.size(); i++) {
        med.push_back(median(times[i]));
        printf("  %9.1f us", med.back());
    }
    if (med.size() == 2) printf("  avx2/avx512 %.2fx", med[0] / med[1]);
    printf("\n");
}

}  // namespace

int main(int argc, char **argv) {
    const char *what = argc > 1 ? argv[1] : "all";
    const int runs = argc > 2 ? atoi(argv[2]) : 15;
    const int threads = argc > 3 ? atoi(argv[3]) : 1;
    vane_cpu_info info;
    check(vane_cpu_features(&info), "cpu");
    std::vector<int32_t> isas = {VANE_ISA_AVX2};
    if (info.active >= VANE_ISA_AVX512) isas.push_back(VANE_ISA_AVX512);
    if (info.active < VANE_ISA_AVX2) {
        fprintf(stderr, "no AVX2 variant on this CPU\n");
        return 1;
    }
    vane_set_threads(threads);
    printf("attn_bench: %d thread(s), median of %d batches; columns: %s\n", threads, runs, isas.size() == 2 ? "avx2, avx512" : "avx2");
    const Shape shapes[] = {{"14/2 d64", 14, 2, 64}, {"32/8 d128", 32, 8, 128}};
    const bool all = !strcmp(what, "all");
    for (const Shape &sh : shapes)
        for (int32_t dtype : {-1, (int32_t)VANE_KV_F16, (int32_t)VANE_KV_FP8_E4M3}) {
            if (all || !strcmp(what, "decode"))
                for (int64_t n : {512, 1024, 2048, 4096}) run_case(sh, dtype, 1, n, runs, isas);
            if (all || !strcmp(what, "prefill")) run_case(sh, dtype, 512, 512, std::max(3, runs / 3), isas);
        }
    return 0;
}
