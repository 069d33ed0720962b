// The gating step of a mixture of experts (vane_moe_route): per token, selection scores, the top
// k by a partial selection sort (higher score first, ties to the lower expert index), then the
// weights, renormalized if asked, then scaled: llama.cpp's build_moe_ffn order. Scores and
// weights are computed in double from the f32 logits and rounded once, so every variant routes
// alike (this is baseline code, shared by all). llama.cpp picks by a descending std::sort of its
// f32 scores (softmax probabilities for SOFTMAX_TOPK, where this picks by the logits, the same
// order unless two probabilities round to one f32), which (libstdc++, up to 16 experts) also puts ties
// lower index first; above that its tie order is unspecified. Its slot order is the order the
// weighted experts are summed in, as here.
#include <math.h>
#include <string.h>

#include <vector>

#include "core/error.h"
#include "moe/moe.h"

namespace vane {

namespace {

constexpr double kMinWeightSum = 6.103515625e-5;  // 2^-14

// The k best of score[0..e) into ids, best first; ties to the lower index.
void top_k(const double *score, int64_t e, int32_t k, int32_t *ids, std::vector<char> &taken) {
    taken.assign((size_t)e, 0);
    for (int32_t j = 0; j < k; j++) {
        int64_t best = -1;
        for (int64_t i = 0; i < e; i++)
            if (!taken[(size_t)i] && (best < 0 || score[i] > score[best])) best = i;
        taken[(size_t)best] = 1;
        ids[j] = (int32_t)best;
    }
}

}  // namespace

vane_status moe_route(const vane_gating &g, const float *logits, int64_t t, int64_t n_experts, int64_t ld,
                      int32_t *ids, float *weights, int64_t *tokens_per_expert) {
    for (int64_t i = 0; i < t; i++)
        for (int64_t e = 0; e < n_experts; e++)
            if (!isfinite(logits[i * ld + e]))
                return fail(VANE_E_NON_FINITE, "router logits of token %lld are not finite (expert %lld: %g)", (long long)i,
                            (long long)e, (double)logits[i * ld + e]);
    if (tokens_per_expert) memset(tokens_per_expert, 0, sizeof(int64_t) * (size_t)n_experts);
    std::vector<double> score((size_t)n_experts), prob((size_t)n_experts);
    std::vector<char> taken;
    const int32_t k = g.k;
    const double scale = g.scale == 0.0f ? 1.0 : (double)g.scale;  // llama.cpp's w_scale: 0 means none
    std::vector<double> chosen((size_t)k);  // the chosen experts' weights, before rounding
    for (int64_t i = 0; i < t; i++) {
        const float *l = logits + i * ld;
        int32_t *id = ids + i * k;
        float *w = weights + i * k;
        std::vector<double> &wk = chosen;
        switch (g.kind) {
            case VANE_GATING_SOFTMAX_TOPK: {
                double mx = l[0];
                for (int64_t e = 1; e < n_experts; e++) mx = l[e] > mx ? l[e] : mx;
                double sum = 0;
                for (int64_t e = 0; e < n_experts; e++) sum += (prob[(size_t)e] = exp((double)l[e] - mx));
                for (int64_t e = 0; e < n_experts; e++) score[(size_t)e] = l[e];  // softmax is monotone
                top_k(score.data(), n_experts, k, id, taken);
                for (int32_t j = 0; j < k; j++) wk[(size_t)j] = prob[(size_t)id[j]] / sum;
                break;
            }
            case VANE_GATING_TOPK_SOFTMAX: {
                for (int64_t e = 0; e < n_experts; e++) score[(size_t)e] = l[e];
                top_k(score.data(), n_experts, k, id, taken);
                const double mx = l[id[0]];
                double sum = 0;
                for (int32_t j = 0; j < k; j++) sum += (wk[(size_t)j] = exp((double)l[id[j]] - mx));
                for (int32_t j = 0; j < k; j++) wk[(size_t)j] /= sum;
                break;
            }
            default: {  // VANE_GATING_SIGMOID_TOPK
                for (int64_t e = 0; e < n_experts; e++) {
                    prob[(size_t)e] = 1.0 / (1.0 + exp(-(double)l[e]));
                    score[(size_t)e] = prob[(size_t)e] + (g.selection_bias ? (double)g.selection_bias[e] : 0.0);
                }
                top_k(score.data(), n_experts, k, id, taken);
                for (int32_t j = 0; j < k; j++) wk[(size_t)j] = prob[(size_t)id[j]];
                break;
            }
        }
        if (g.renormalize) {
            // As llama.cpp's norm_w: the sum is clamped to at least 2^-14 (f16's smallest normal),
            // so weights that are all tiny (sigmoid of very negative logits) are not blown up.
            double sum = 0;
            for (int32_t j = 0; j < k; j++) sum += wk[(size_t)j];
            if (sum < kMinWeightSum) sum = kMinWeightSum;
            for (int32_t j = 0; j < k; j++) wk[(size_t)j] /= sum;
        }
        for (int32_t j = 0; j < k; j++) w[j] = (float)(wk[(size_t)j] * scale);
        if (tokens_per_expert)
            for (int32_t j = 0; j < k; j++) tokens_per_expert[id[j]]++;
    }
    return VANE_OK;
}

}  // namespace vane
