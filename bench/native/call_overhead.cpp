// call_overhead: the time of one tiny vane_gemm called from C, the baseline against which
// bench/call-overhead.sh sets the same call made from Java through FFM (CallOverheadJmh).
// Not a test; built only with -DVANE_BUILD_BENCH=ON:
//
//   build/bench/native/call_overhead [calls per batch]
//
// Shapes: W [16, 64] in q4_0 and f32, M = 1, no bias, at 1 thread (the kernel alone: a few
// hundred nanoseconds) and at 2 (the pool's hand-off included). Reported: the median and the
// minimum over 31 batches of ns per call.
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "vane.h"

namespace {

double now_ns() {
    using namespace std::chrono;
    return duration<double, std::nano>(steady_clock::now().time_since_epoch()).count();
}

void run(int32_t format, const char *name, int32_t threads, int calls) {
    const int64_t n = 16, k = 64;
    std::vector<float> src(n * k), x(k), y(n);
    for (size_t i = 0; i < src.size(); i++) src[i] = (float)((i * 37 % 101) / 50.0 - 1.0);
    for (size_t i = 0; i < x.size(); i++) x[i] = (float)((i * 13 % 29) / 14.0 - 1.0);
    int64_t bytes = 0;
    vane_quant_size(format, n, k, &bytes);
    std::vector<uint8_t> w(bytes);
    if (vane_quant_quantize(format, src.data(), n, k, w.data(), bytes) != VANE_OK) {
        fprintf(stderr, "quantize: %s\n", vane_last_error());
        exit(1);
    }
    vane_set_threads(threads);
    std::vector<double> per_call;
    for (int batch = 0; batch < 31 + 3; batch++) {
        const double t0 = now_ns();
        for (int c = 0; c < calls; c++)
            if (vane_gemm(format, w.data(), bytes, n, k, x.data(), k, 1, nullptr, y.data(), n) != VANE_OK) {
                fprintf(stderr, "vane_gemm: %s\n", vane_last_error());
                exit(1);
            }
        if (batch >= 3) per_call.push_back((now_ns() - t0) / calls);  // the first 3 warm up
    }
    std::sort(per_call.begin(), per_call.end());
    printf("%-6s %7d %14.1f %11.1f\n", name, threads, per_call[per_call.size() / 2], per_call[0]);
}

}  // namespace

int main(int argc, char **argv) {
    const int calls = argc > 1 ? atoi(argv[1]) : 20000;
    printf("call_overhead (C): vane_gemm W [16, 64], M = 1, ns per call over 31 batches of %d calls\n", calls);
    printf("%-6s %7s %14s %11s\n", "format", "threads", "median ns", "min ns");
    for (int32_t threads : {1, 2}) {
        run(VANE_FORMAT_Q4_0, "q4_0", threads, calls);
        run(VANE_FORMAT_F32, "f32", threads, calls);
    }
    return 0;
}
