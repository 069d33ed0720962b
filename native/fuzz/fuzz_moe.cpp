// Fuzzes vane_moe_route: routing t tokens' logits over n_experts with a gating the caller
// describes (kind, k, renormalize, scale, selection bias), row stride ld. Fields: kind, k,
// flags, scale pick, t, n_experts, ld - n_experts; the payload is the logits (f32 bits, so NaN
// and Inf too), repeated as needed.
//
// Contract checks: an unknown kind, n_experts outside 1..2^20, k outside 1..n_experts, ld <
// n_experts, t < 0, a non-finite scale or bias, or a bias with another kind must be refused, and
// a NaN or Inf logit too (nothing written); an accepted call gives each token k distinct experts
// in range, and tokens_per_expert counts them.
#include <math.h>

#include "fuzz_input.h"

using namespace fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Input in(data, size);
    select_cpu(in);
    vane_gating g{};
    g.kind = int32_t(in.u8() % 5) - 1;  // -1 and 3: unknown kinds
    g.k = int32_t(in.size(16));
    const uint8_t flags = in.u8();
    static const float scales[4] = {0.0f, 1.0f, 2.5f, __builtin_nanf("")};
    g.scale = scales[in.u8() & 3];
    g.renormalize = flags & 1;
    const int64_t t = in.size(64), n_experts = in.size(256);
    const int64_t far = int64_t(1) << 40, ld = n_experts > -far && n_experts < far ? n_experts + (flags & 2 ? -1 : (flags >> 2) & 7) : n_experts;
    const bool bias = flags & 32, counts = flags & 64;

    // The bias holds n_experts floats; it is passed only when that count is in range.
    const int64_t bias_n = bias && n_experts >= 1 && n_experts <= (int64_t(1) << 20) ? n_experts : 0;
    Buf<float> selection(bias_n > 0 ? bias_n : 1);
    for (int64_t e = 0; e < bias_n; e++) selection.get()[e] = float(e % 3) * 0.1f;
    g.selection_bias = bias_n > 0 ? selection.get() : nullptr;
    const bool bad_gating = g.kind < 0 || g.kind > 2 || n_experts < 1 || n_experts > (int64_t(1) << 20) || g.k < 1 || g.k > n_experts ||
                            !isfinite(g.scale) || (g.selection_bias && g.kind != VANE_GATING_SIGMOID_TOPK);
    if (bad_gating || t < 0 || ld < n_experts) {
        Buf<float> tiny(1);
        Buf<int32_t> ids(1);
        must_fail(vane_moe_route(&g, tiny.get(), t, n_experts, ld, ids.get(), tiny.get(), nullptr), "vane_moe_route accepted a bad gating or shape");
        return 0;
    }
    const int64_t before_last = t == 0 ? 0 : mul(t - 1, ld), picks = mul(t, g.k);
    const int64_t logits_n = t == 0 ? 0 : before_last < 0 || before_last > kMaxBytes ? -1 : before_last + n_experts;
    if (!affordable(logits_n, 4) || !affordable(picks, 8)) return 0;
    Buf<float> logits(logits_n), weights(picks);
    Buf<int32_t> ids(picks);
    Buf<int64_t> per_expert(n_experts);
    logits.fill(in.rest(), in.left());
    bool finite = true;
    for (int64_t r = 0; r < t; r++)
        for (int64_t e = 0; e < n_experts; e++) finite = finite && isfinite(logits.get()[r * ld + e]);
    for (int64_t i = 0; i < picks; i++) ids.get()[i] = -7;
    const vane_status s = vane_moe_route(&g, logits.get(), t, n_experts, ld, ids.get(), weights.get(), counts ? per_expert.get() : nullptr);
    if (!finite) {
        must_fail(s, "vane_moe_route accepted a NaN or Inf logit");
        for (int64_t i = 0; i < picks; i++)
            if (ids.get()[i] != -7) contract("vane_moe_route wrote ids for logits it refused", s);
        return 0;
    }
    if (s != VANE_OK) contract("vane_moe_route refused finite logits", s);
    for (int64_t r = 0; r < t; r++)
        for (int64_t j = 0; j < g.k; j++) {
            const int32_t id = ids.get()[r * g.k + j];
            if (id < 0 || id >= n_experts) contract("vane_moe_route chose an expert outside 0..n_experts - 1", s);
            for (int64_t i = 0; i < j; i++)
                if (ids.get()[r * g.k + i] == id) contract("vane_moe_route chose one expert twice for a token", s);
        }
    if (counts) {
        int64_t sum = 0;
        for (int64_t e = 0; e < n_experts; e++) sum += per_expert.get()[e];
        if (sum != picks) contract("tokens_per_expert does not add up to t * k", s);
    }
    return 0;
}
