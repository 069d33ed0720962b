// Fuzzes vane_ffn_forward and vane_moe_forward: a gated feed-forward block, or a mixture of
// experts over such blocks, whose matrices (formats, shapes, byte counts), activation, biases,
// gating and shared expert the caller describes. Fields: op (0 ffn, 1 moe), the gate/up, down and
// router formats, dim, ffn_dim, t, activation, the alpha/limit pick, bias flags, which matrix is
// one byte short (255: none), then for moe n_experts, gating kind, k, gating flags, the scale
// pick, shared_ffn_dim. The payload is the weight bytes (each matrix takes them from its start,
// repeated, so a payload of whole blocks gives whole blocks), as a model file's tensors are
// handed over: scales may be NaN or Inf.
//
// Contract checks: a dim, ffn_dim or t out of range, a matrix whose format refuses its shape or
// that has fewer bytes than the shape needs, an unknown activation, swiglu_oai without a finite
// alpha and a limit > 0, a bad gating, or a shared gate without a shared expert must be refused;
// every other call must succeed (moe may also refuse non-finite router logits), write all of
// y's t * dim floats (y starts as a signalling NaN, which no arithmetic returns) and, for moe,
// count t * k routed pairs in tokens_per_expert.
#include <math.h>

#include <memory>
#include <optional>
#include <vector>

#include "fuzz_input.h"

using namespace fuzz;

namespace {

constexpr int64_t kMaxWork = int64_t(1) << 21;  // multiply-adds a run may take, to keep inputs fast

// The weights of one matrix: exactly `bytes` bytes (one short of what its shape needs when the
// input says so), or a single byte when the shape is refused or too large to allocate.
struct Weights {
    std::unique_ptr<Buf<uint8_t>> buf;
    bool valid = false;

    Weights(int32_t format, int64_t rows, int64_t cols, bool short_by_one, const Input &in) {
        int64_t need = 0;
        const bool sized = vane_quant_size(format, rows, cols, &need) == VANE_OK;
        const bool fits = sized && need >= 1 && need <= kMaxBytes;
        buf = std::make_unique<Buf<uint8_t>>(fits ? need - (short_by_one ? 1 : 0) : 1);
        valid = fits && !short_by_one;
        buf->fill(in.rest(), in.left());
    }
    vane_matrix matrix(int32_t format) const { return {format, 0, buf->get(), buf->size()}; }
};

struct Floats {
    Buf<float> buf;
    explicit Floats(int64_t n, float base) : buf(n > 0 ? n : 1) {
        for (int64_t i = 0; i < buf.size(); i++) buf.get()[i] = base + float(i % 7) * 0.0625f;
    }
    float *get() const { return buf.get(); }
};

bool dims_ok(int64_t dim, int64_t ffn_dim, int64_t t) {
    const int64_t limit = int64_t(1) << 40, wide = dim > ffn_dim ? dim : ffn_dim;
    return dim >= 1 && ffn_dim >= 1 && t >= 0 && dim <= limit && ffn_dim <= limit && t <= limit && mul(t, wide) >= 0 &&
           mul(t, wide) <= (int64_t(1) << 48);
}

// One gated block's matrices, activation and biases, as the input describes them.
struct Block {
    Weights gate, up, down;
    Floats gate_bias, up_bias, down_bias;
    vane_ffn ffn{};
    bool valid;

    Block(int32_t fmt_gu, int32_t fmt_down, int64_t dim, int64_t ffn_dim, int32_t activation, float alpha, float limit,
          uint8_t bias_flags, int short_matrix, const Input &in)
        : gate(fmt_gu, ffn_dim, dim, short_matrix == 0, in),
          up(fmt_gu, ffn_dim, dim, short_matrix == 1, in),
          down(fmt_down, dim, ffn_dim, short_matrix == 2, in),
          gate_bias(affordable(ffn_dim, 4) ? ffn_dim : 1, 0.25f),
          up_bias(affordable(ffn_dim, 4) ? ffn_dim : 1, -0.25f),
          down_bias(affordable(dim, 4) ? dim : 1, 0.5f) {
        ffn.gate = gate.matrix(fmt_gu);
        ffn.up = up.matrix(fmt_gu);
        ffn.down = down.matrix(fmt_down);
        ffn.activation = activation;
        ffn.alpha = alpha;
        ffn.limit = limit;
        // A bias is passed only when its buffer holds the count the contract reads.
        const bool biases_fit = affordable(ffn_dim, 4) && affordable(dim, 4);
        ffn.gate_bias = biases_fit && (bias_flags & 1) ? gate_bias.get() : nullptr;
        ffn.up_bias = biases_fit && (bias_flags & 2) ? up_bias.get() : nullptr;
        ffn.down_bias = biases_fit && (bias_flags & 4) ? down_bias.get() : nullptr;
        const bool act_ok = activation == VANE_ACT_SILU || activation == VANE_ACT_GELU ||
                            (activation == VANE_ACT_SWIGLU_OAI && isfinite(alpha) && limit > 0);
        valid = gate.valid && up.valid && down.valid && act_ok;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Input in(data, size);
    select_cpu(in);
    const bool moe = in.u8() & 1;
    const int32_t fmt_gu = int32_t(in.u8() % 34) - 1, fmt_down = int32_t(in.u8() % 34) - 1, fmt_router = int32_t(in.u8() % 34) - 1;
    const int64_t dim = in.size(256), ffn_dim = in.size(256), t = in.size(16);
    const int32_t activation = int32_t(in.u8() % 4);  // 3: unknown
    const uint8_t pick = in.u8();
    static const float alphas[4] = {1.702f, 0.0f, __builtin_inff(), __builtin_nanf("")};
    static const float limits[4] = {7.0f, __builtin_inff(), 0.0f, -1.0f};
    const float alpha = alphas[pick & 3], limit = limits[(pick >> 2) & 3];
    const uint8_t bias_flags = in.u8();
    const int short_matrix = in.u8();  // 0..2 the block's gate/up/down, 3 the router, 4..6 the shared block's
    int64_t n_experts = 0, shared_ffn_dim = 0;
    vane_gating g{};
    uint8_t moe_flags = 0;
    if (moe) {
        n_experts = in.size(8);
        g.kind = int32_t(in.u8() % 5) - 1;  // -1 and 3: unknown kinds
        g.k = int32_t(in.size(8));
        moe_flags = in.u8();
        static const float scales[4] = {0.0f, 1.0f, 2.5f, __builtin_nanf("")};
        g.scale = scales[in.u8() & 3];
        g.renormalize = moe_flags & 1;
        shared_ffn_dim = in.size(256);
    }
    const bool has_shared = moe_flags & 2, shared_gate = moe_flags & 4, router_bias = moe_flags & 8, selection_bias = moe_flags & 16;
    const bool counts = moe_flags & 32;

    Block block(fmt_gu, fmt_down, dim, ffn_dim, activation, alpha, limit, bias_flags, short_matrix, in);
    const int64_t k_run = moe ? (g.k > 0 ? int64_t(g.k) : 0) + (has_shared ? 1 : 0) : 1;
    const int64_t widest = ffn_dim > shared_ffn_dim ? ffn_dim : shared_ffn_dim;
    const int64_t work = mul(mul(mul(t, dim), widest), mul(3, k_run));
    const bool cheap = work >= 0 && work <= kMaxWork && affordable(mul(t, dim), 4);
    Buf<float> x(cheap && t * dim > 0 ? t * dim : 1), y(cheap && t * dim > 0 ? t * dim : 1);
    for (int64_t i = 0; i < x.size(); i++) x.get()[i] = float(int64_t(i * 7919 % 17) - 8) * 0.125f;
    poison(y.get(), y.size());

    if (!moe) {
        const bool valid = dims_ok(dim, ffn_dim, t) && block.valid;
        if (valid && !cheap) return 0;  // a valid call too large to run here
        const vane_status s = vane_ffn_forward(&block.ffn, dim, ffn_dim, x.get(), t, y.get());
        if (!valid) {
            must_fail(s, "vane_ffn_forward accepted a shape, matrix, or activation it must refuse");
            return 0;
        }
        if (s != VANE_OK) contract("vane_ffn_forward refused a call its contract accepts", s);
        if (any_unwritten(y.get(), t * dim)) contract("vane_ffn_forward left part of y unwritten", s);
        return 0;
    }

    const bool experts_fit = n_experts >= 1 && n_experts <= 8;
    const bool gating_ok = g.kind >= VANE_GATING_SOFTMAX_TOPK && g.kind <= VANE_GATING_SIGMOID_TOPK && n_experts >= 1 &&
                           n_experts <= (int64_t(1) << 20) && g.k >= 1 && g.k <= n_experts && isfinite(g.scale) &&
                           (!selection_bias || g.kind == VANE_GATING_SIGMOID_TOPK);
    if (gating_ok && !experts_fit) return 0;  // more experts than the harness builds
    Weights router(fmt_router, n_experts, dim, short_matrix == 3, in);
    std::optional<Block> shared;  // built only for a layer that has one
    if (has_shared) shared.emplace(fmt_gu, fmt_down, dim, shared_ffn_dim, activation, alpha, limit, bias_flags >> 3, short_matrix - 4, in);
    const int64_t e_count = experts_fit ? n_experts : 1;
    std::vector<vane_ffn> experts(size_t(e_count), block.ffn);
    Floats sel(e_count, 0.125f), rbias(e_count, -0.125f), sgate(affordable(dim, 4) ? dim : 1, 0.03125f);
    std::vector<int64_t> tokens(size_t(e_count), -1);
    g.selection_bias = selection_bias && experts_fit ? sel.get() : nullptr;

    vane_moe_layer layer{};
    layer.dim = dim;
    layer.ffn_dim = ffn_dim;
    layer.n_experts = n_experts;
    layer.router = router.matrix(fmt_router);
    layer.experts = experts.data();
    layer.shared = shared ? &shared->ffn : nullptr;
    layer.shared_ffn_dim = shared_ffn_dim;
    layer.gating = g;
    layer.router_bias = router_bias && experts_fit ? rbias.get() : nullptr;
    layer.shared_gate = shared_gate && affordable(dim, 4) ? sgate.get() : nullptr;
    vane_moe_stats stats{};
    stats.tokens_per_expert = counts && experts_fit ? tokens.data() : nullptr;

    const bool valid = dims_ok(dim, ffn_dim, t) && gating_ok && router.valid && block.valid &&
                       (shared ? dims_ok(dim, shared_ffn_dim, t) && shared->valid : !layer.shared_gate);
    if (valid && !cheap) return 0;
    const vane_status s = vane_moe_forward(&layer, x.get(), t, y.get(), &stats);
    if (!valid) {
        must_fail(s, "vane_moe_forward accepted a shape, matrix, gating or shared expert it must refuse");
        return 0;
    }
    // The router's logits come from weight bytes that may hold NaN scales: a non-finite logit is
    // refused (vane_moe_route's contract), and nothing else may be.
    if (s == VANE_E_NON_FINITE && strstr(vane_last_error(), "router logits")) return 0;
    if (s != VANE_OK) contract("vane_moe_forward refused a call its contract accepts", s);
    if (any_unwritten(y.get(), t * dim)) contract("vane_moe_forward left part of y unwritten", s);
    if (stats.tokens_per_expert) {
        int64_t pairs = 0;
        for (int64_t e = 0; e < n_experts; e++) pairs += tokens[size_t(e)];
        if (pairs != t * g.k) contract("vane_moe_forward counted other than t * k routed pairs", s);
    }
    return 0;
}
