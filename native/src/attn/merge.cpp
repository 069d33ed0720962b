// Merging split-key partial results (baseline code, shared by every variant): for each row,
// M = max over splits of m_s, L = sum of l_s e^(m_s - M), out = (sum of o_s e^(m_s - M)) / L,
// the head's sink (if any) joining M and L once here.
#include <math.h>

#include "attn/attn.h"
#include "common/exp_poly.h"

namespace vane {

void attn_merge(const AttnArgs &a, int64_t g, int64_t t0, int64_t t1, const AttnPartial *parts, int64_t splits) {
    const int64_t d = a.d;
    for (int64_t i = t0; i < t1; i++) {
        for (int64_t hh = 0; hh < a.group; hh++) {
            const int64_t r = (i - t0) * a.group + hh;
            float mx = -INFINITY;
            bool nan = false;
            for (int64_t s = 0; s < splits; s++) {
                mx = parts[s].m[r] > mx ? parts[s].m[r] : mx;
                nan = nan || parts[s].m[r] != parts[s].m[r];
            }
            const int64_t h = g * a.group + hh;
            float l = 0.0f;
            if (a.sinks) {  // the sink as one more part without a value (m = sink, l = 1, o = 0), counted here only
                mx = a.sinks[h] > mx ? a.sinks[h] : mx;
                l = exp_poly_or_zero(a.sinks[h] - mx);
            }
            float *out = attn_out_row(a, i, h);
            for (int64_t c = 0; c < d; c++) out[c] = 0.0f;
            for (int64_t s = 0; s < splits; s++) {
                const float w = exp_poly_or_zero(parts[s].m[r] - mx);  // 0 for a split that saw no key
                if (w == 0.0f) continue;
                l += parts[s].l[r] * w;
                const float *o = parts[s].o + r * d;
                for (int64_t c = 0; c < d; c++) out[c] += o[c] * w;
            }
            for (int64_t c = 0; c < d; c++) out[c] = nan ? NAN : l > 0.0f ? out[c] / l : 0.0f;
        }
    }
}

}  // namespace vane
