// Fuzzes the RoPE entry points, whose sizes and scaling come from a model's metadata: vane_rope
// (n tokens of n_heads x head_dim, row stride ld, rot_dim, positions) and vane_rope_table
// (n_positions rows of rot_dim floats). Fields: op, flags, n_heads, head_dim, rot_dim, picks of
// base, linear_scale, ext_factor, attn_factor and the betas, n_ctx_orig, n, ld - n_heads x
// head_dim, n_positions; the payload gives the positions (int64) and the frequency factors.
//
// Contract checks: every out-of-range field vane.h and the checks name must be refused; an
// accepted vane_rope writes only the first n_heads x head_dim floats of each row (the stride's
// padding keeps its sentinel), and vane_rope_table writes exactly n_positions x rot_dim floats.
#include <math.h>

#include "fuzz_input.h"

using namespace fuzz;

namespace {

constexpr float kSentinel = 12345.0f;

bool finite_positive(float f) { return f > 0.0f && isfinite(f); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Input in(data, size);
    select_cpu(in);
    const uint8_t op = in.u8(), flags = in.u8(), picks = in.u8();
    static const float bases[4] = {10000.0f, 1.0f, __builtin_nanf(""), 500000.0f};
    static const float scales[4] = {1.0f, 0.0f, 4.0f, __builtin_inff()};
    static const float exts[4] = {0.0f, 1.0f, 0.5f, 2.0f};
    static const float attns[4] = {0.0f, 1.0f, -1.0f, __builtin_nanf("")};
    vane_rope_params p{};
    p.n_heads = in.size(8);
    p.head_dim = in.size(128);
    p.rot_dim = in.size(128);
    p.base = flags & 32 ? 1.0001f : bases[picks & 3];  // a base just above 1: YaRN's correction dims far out
    p.linear_scale = scales[(picks >> 2) & 3];
    p.ext_factor = exts[(picks >> 4) & 3];
    p.attn_factor = attns[(picks >> 6) & 3];
    p.beta_fast = flags & 1 ? 0.0f : 32.0f;
    p.beta_slow = 1.0f;
    p.neox = flags & 2 ? 1 : 0;
    p.n_ctx_orig = in.size(8192);
    const int64_t n = in.size(64), pad = in.size(8), n_positions = in.size(4096);

    const bool rot_ok = p.head_dim >= 1 && p.head_dim <= 4096 && p.rot_dim >= 0 && p.rot_dim <= p.head_dim && p.rot_dim % 2 == 0;
    Buf<float> factors(rot_ok && p.rot_dim > 0 ? p.rot_dim / 2 : 1);
    if (flags & 4) factors.fill(in.rest(), in.left());  // whatever bits the payload holds
    else
        for (int64_t i = 0; i < factors.size(); i++) factors.get()[i] = 1.0f + float(i % 4) * 0.5f;
    p.freq_factors = flags & 8 ? factors.get() : nullptr;
    bool factors_ok = true;
    if (p.freq_factors && rot_ok)
        for (int64_t i = 0; i < p.rot_dim / 2; i++) factors_ok = factors_ok && finite_positive(factors.get()[i]);
    const bool yarn_ok = p.ext_factor == 0.0f || (finite_positive(p.beta_fast) && p.n_ctx_orig >= 1 && p.n_ctx_orig <= INT32_MAX);
    const bool scaling_ok = factors_ok && p.attn_factor >= 0.0f && isfinite(p.attn_factor) && p.ext_factor >= 0.0f && p.ext_factor <= 1.0f && yarn_ok;
    const bool common_ok = rot_ok && p.base > 1.0f && isfinite(p.base) && finite_positive(p.linear_scale) && scaling_ok;

    if (op & 1) {  // the table
        const bool ok = common_ok && n_positions >= 0 && n_positions <= (int64_t(1) << 32);
        const int64_t count = ok ? mul(n_positions, p.rot_dim) : 0;
        if (!ok) {
            Buf<float> tiny(1);
            must_fail(vane_rope_table(&p, n_positions, tiny.get()), "vane_rope_table accepted a field it must refuse");
            return 0;
        }
        if (!affordable(count + 1, 4)) return 0;
        Buf<float> out(count + 1);  // one float past the table keeps its sentinel
        for (int64_t i = 0; i <= count; i++) out.get()[i] = kSentinel;
        if (vane_rope_table(&p, n_positions, out.get()) != VANE_OK) contract("vane_rope_table refused valid fields", -1);
        if (out.get()[count] != kSentinel) contract("vane_rope_table wrote past n_positions x rot_dim floats", VANE_OK);
        return 0;
    }
    const int64_t width = p.n_heads >= 1 && p.n_heads <= 4096 && p.head_dim >= 1 && p.head_dim <= 4096 ? p.n_heads * p.head_dim : -1;
    const int64_t ld = width >= 0 && pad >= 0 && pad <= 8 ? width + pad : pad;  // a hostile pad stands for the stride
    Buf<int64_t> positions(affordable(n, 8) && n > 0 ? n : 1);
    positions.fill(in.rest(), in.left());
    if (!(flags & 16))
        for (int64_t t = 0; t < positions.size(); t++) positions.get()[t] = int64_t(uint64_t(positions.get()[t]) % 65536);
    bool positions_ok = true;
    if (affordable(n, 8))
        for (int64_t t = 0; t < n; t++) positions_ok = positions_ok && positions.get()[t] >= 0 && positions.get()[t] <= (int64_t(1) << 40);
    const bool shape_ok = width >= 0 && common_ok && n >= 0 && n <= (int64_t(1) << 40) && ld >= width;
    if (!shape_ok || (n > 0 && p.rot_dim > 0 && affordable(n, 8) && !positions_ok)) {
        Buf<float> tiny(1);
        if (!shape_ok || affordable(n, 8))
            must_fail(vane_rope(&p, tiny.get(), n, ld, positions.get()), "vane_rope accepted a field or position it must refuse");
        return 0;
    }
    const int64_t before_last = n == 0 ? 0 : mul(n - 1, ld), count = before_last < 0 ? -1 : before_last + width;
    if (!affordable(n, 8) || !affordable(count, 4)) return 0;
    Buf<float> x(count);
    for (int64_t i = 0; i < count; i++) x.get()[i] = (i % ld) < width ? float(i % 9) - 4.0f : kSentinel;
    if (vane_rope(&p, x.get(), n, ld, positions.get()) != VANE_OK) contract("vane_rope refused valid fields", -1);
    for (int64_t i = 0; i < count; i++)
        if ((i % ld) >= width && x.get()[i] != kSentinel) contract("vane_rope wrote into the stride's padding", VANE_OK);
    return 0;
}
