// The feed-forward and mixture-of-experts layers, built on gemm_run (every matrix in any weight
// format) and the variant's gated activation, all of it spread over the thread pool inside each
// step: a GEMM splits its output columns, the activation its elements, the combine rows. So a small
// expert (one token at decode) still runs on every thread, and T = 1 pays only for the router
// GEMV, a top-k over the experts and k gathered rows on top of its k expert FFNs.
//
// ffn_run: h = gate(x), up(x) (one GEMM when gate and up lie back to back), the activation with
// the gate and up biases added as it reads h (what adding them after each GEMM gives, bit for
// bit), then down with its bias added by the GEMM.
//
// moe_run, for t tokens:
//   route    logits [t, E] = x * router^T + router_bias; top-k and weights per token (route.cpp);
//   group    the t * k (token, slot) pairs ordered by expert with a stable counting sort
//            (tokens ascending within an expert), and their rows of x gathered in that order;
//   experts  each expert with c > 0 pairs: one FFN on its c contiguous rows ([c, D] GEMMs);
//            the shared expert, if any, on all t rows, and its gate sigmoid(x . shared_gate);
//   combine  y[i] = w[i][0] * out[pair (i, 0)] + ... + w[i][k-1] * out[pair (i, k-1)], then
//            + gate[i] * shared[i]: llama.cpp's order (build_moe_ffn sums the weighted experts
//            in slot order; Qwen2-MoE then adds the gated shared expert).
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <chrono>
#include <vector>

#include "core/dispatch.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "gemm/gemm.h"
#include "moe/moe.h"
#include "quant/quant.h"

namespace vane {

namespace {

// Elements per pool task for the element-wise steps.
constexpr int64_t kElementsPerTask = 1 << 15;

double now_s() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// A growable 64-byte-aligned float buffer, kept by the calling thread between calls (no
// allocation or page faults in steady state).
class Buffer {
public:
    ~Buffer() { free(p_); }
    float *get(int64_t floats) {
        if (floats > cap_) {
            free(p_);
            cap_ = 0;
            const int64_t bytes = (floats * 4 + 4095) / 4096 * 4096;
            p_ = static_cast<float *>(aligned_alloc(64, (size_t)bytes));
            if (p_) cap_ = bytes / 4;
        }
        return p_;
    }

private:
    float *p_ = nullptr;
    int64_t cap_ = 0;
};

// Per thread: the FFN's hidden activations, and the MoE layer's logits, gathered rows, expert
// outputs and shared expert output.
thread_local Buffer t_hidden, t_logits, t_rows, t_out, t_shared;

vane_status out_of_memory(const char *what, int64_t floats) {
    return fail(VANE_E_OUT_OF_MEMORY, "cannot allocate %lld bytes for %s", (long long)(floats * 4), what);
}

// y [m, n] = x [m, k] * W^T (W a vane_matrix [n, k]).
vane_status linear(const vane_matrix &w, int64_t n, int64_t k, const float *x, int64_t m, float *y) {
    return gemm_run(GemmArgs{w.format, w.data, n, k, x, k, m, nullptr, y, n, nullptr});
}

}  // namespace

// Whether gate and up lie back to back in one format whose rows are whole bytes of their own
// (not FP8's trailing scales): then they are one [2F, D] matrix and one GEMM does both, one pass
// over the pool instead of two (a decode step runs many small GEMVs; each pass costs a hand-off).
bool gate_up_fused(const vane_ffn &ffn, int64_t dim, int64_t ffn_dim) {
    const FormatTraits *f = format_traits(ffn.gate.format);
    if (!f || f->planar || ffn.gate.format != ffn.up.format) return false;
    return static_cast<const char *>(ffn.gate.data) + quant_size(*f, ffn_dim, dim) == ffn.up.data;
}

namespace {

// The activation over columns [0, f) of t rows of g and u (row stride ld), into g: split over
// the pool by elements, each task's run cut where rows end (the biases index by column).
void activate(const vane_ffn &ffn, float *g, const float *u, int64_t ld, int64_t t, int64_t f) {
    const MoeKernels &kern = moe_variants.active();
    parallel_for(t * f, kElementsPerTask, [&](int64_t b, int64_t e) {
        while (b < e) {
            const int64_t r = b / f, c = b % f, n = (e - b < f - c) ? e - b : f - c;
            const Glu p{ffn.activation, ffn.alpha, ffn.limit, ffn.gate_bias ? ffn.gate_bias + c : nullptr,
                        ffn.up_bias ? ffn.up_bias + c : nullptr};
            kern.glu(p, g + r * ld + c, u + r * ld + c, g + r * ld + c, n);
            b += n;
        }
    });
}

}  // namespace

vane_status ffn_run(const vane_ffn &ffn, int64_t dim, int64_t ffn_dim, const float *x, int64_t t, float *y) {
    if (t == 0) return VANE_OK;
    float *h = t_hidden.get(2 * t * ffn_dim);
    if (!h) return out_of_memory("the FFN's hidden activations", 2 * t * ffn_dim);
    float *g = h, *u;
    int64_t ld;
    vane_status s;
    if (gate_up_fused(ffn, dim, ffn_dim)) {
        // h [t, 2F]: each row's gate outputs, then its up outputs.
        u = h + ffn_dim;
        ld = 2 * ffn_dim;
        s = linear(ffn.gate, 2 * ffn_dim, dim, x, t, h);
    } else {
        // h: gate [t, F], then up [t, F].
        u = h + t * ffn_dim;
        ld = ffn_dim;
        s = linear(ffn.gate, ffn_dim, dim, x, t, g);
        if (s == VANE_OK) s = linear(ffn.up, ffn_dim, dim, x, t, u);
    }
    if (s != VANE_OK) return s;
    activate(ffn, g, u, ld, t, ffn_dim);
    return gemm_run(GemmArgs{ffn.down.format, ffn.down.data, dim, ffn_dim, g, ld, t, ffn.down_bias, y, dim, nullptr});
}

vane_status moe_run(const vane_moe_layer &layer, const float *x, int64_t t, float *y, vane_moe_stats *stats) {
    const int64_t d = layer.dim, e_count = layer.n_experts;
    const int32_t k = layer.gating.k;
    double t0 = now_s();
    if (stats) stats->route_seconds = stats->group_seconds = stats->experts_seconds = stats->combine_seconds = 0;
    if (t == 0) {
        if (stats && stats->tokens_per_expert) memset(stats->tokens_per_expert, 0, sizeof(int64_t) * (size_t)e_count);
        return VANE_OK;
    }

    // route
    float *logits = t_logits.get(t * e_count);
    if (!logits) return out_of_memory("the router logits", t * e_count);
    vane_status s = gemm_run(GemmArgs{layer.router.format, layer.router.data, e_count, d, x, d, t, layer.router_bias, logits, e_count, nullptr});
    if (s != VANE_OK) return s;
    std::vector<int32_t> ids((size_t)(t * k));
    std::vector<float> weights((size_t)(t * k));
    std::vector<int64_t> counts((size_t)e_count);
    s = moe_route(layer.gating, logits, t, e_count, e_count, ids.data(), weights.data(), counts.data());
    if (s != VANE_OK) return s;
    double t1 = now_s();

    // group: offsets by expert, then each pair's place (stable: pairs in token order)
    std::vector<int64_t> start((size_t)e_count + 1, 0), place((size_t)(t * k));
    for (int64_t e = 0; e < e_count; e++) start[(size_t)e + 1] = start[(size_t)e] + counts[(size_t)e];
    std::vector<int64_t> next(start.begin(), start.end() - 1);
    for (int64_t p = 0; p < t * k; p++) place[(size_t)p] = next[(size_t)ids[(size_t)p]]++;
    float *rows = t_rows.get(t * k * d), *out = t_out.get(t * k * d);
    if (!rows || !out) return out_of_memory("the experts' rows", 2 * t * k * d);
    parallel_for(t * k, kElementsPerTask / d + 1, [&](int64_t b, int64_t e) {
        for (int64_t p = b; p < e; p++) memcpy(rows + place[(size_t)p] * d, x + (p / k) * d, sizeof(float) * (size_t)d);
    });
    double t2 = now_s();

    // experts
    float *shared = nullptr;
    std::vector<float> shared_gate;
    if (layer.shared) {
        shared = t_shared.get(t * d);
        if (!shared) return out_of_memory("the shared expert's output", t * d);
        s = ffn_run(*layer.shared, d, layer.shared_ffn_dim, x, t, shared);
        if (s != VANE_OK) return s;
        if (layer.shared_gate) {
            // sigmoid(x . shared_gate) per token: the dot as a one-row f32 GEMM, the sigmoid in
            // double rounded once (llama.cpp computes it as silu(v) / v in f32).
            shared_gate.resize((size_t)t);
            s = gemm_run(GemmArgs{VANE_FORMAT_F32, layer.shared_gate, 1, d, x, d, t, nullptr, shared_gate.data(), 1, nullptr});
            if (s != VANE_OK) return s;
            for (float &v : shared_gate) v = (float)(1.0 / (1.0 + exp(-(double)v)));
        }
    }
    for (int64_t e = 0; e < e_count && s == VANE_OK; e++) {
        const int64_t c = counts[(size_t)e];
        if (c > 0) s = ffn_run(layer.experts[e], d, layer.ffn_dim, rows + start[(size_t)e] * d, c, out + start[(size_t)e] * d);
    }
    if (s != VANE_OK) return s;
    double t3 = now_s();

    // combine, in each token's routing order, then the shared expert
    const float *sg = shared_gate.empty() ? nullptr : shared_gate.data();
    parallel_for(t, kElementsPerTask / d + 1, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; i++) {
            float *yi = y + i * d;
            for (int32_t j = 0; j < k; j++) {
                const float w = weights[(size_t)(i * k + j)];
                const float *o = out + place[(size_t)(i * k + j)] * d;
                if (j == 0) {
                    for (int64_t c = 0; c < d; c++) yi[c] = w * o[c];
                } else {
                    for (int64_t c = 0; c < d; c++) yi[c] += w * o[c];
                }
            }
            if (shared) {
                const float *si = shared + i * d;
                if (sg) {
                    const float gi = sg[i];
                    for (int64_t c = 0; c < d; c++) yi[c] += si[c] * gi;
                } else {
                    for (int64_t c = 0; c < d; c++) yi[c] += si[c];
                }
            }
        }
    });
    double t4 = now_s();
    if (stats) {
        stats->route_seconds = t1 - t0;
        stats->group_seconds = t2 - t1;
        stats->experts_seconds = t3 - t2;
        stats->combine_seconds = t4 - t3;
        if (stats->tokens_per_expert) memcpy(stats->tokens_per_expert, counts.data(), sizeof(int64_t) * (size_t)e_count);
    }
    return VANE_OK;
}

}  // namespace vane
