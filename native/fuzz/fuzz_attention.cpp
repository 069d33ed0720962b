// Fuzzes vane_attention_cached: attention over a paged cache the caller describes (its shape,
// a block table, how many positions are cached, a window, keys rotated through a cos/sin table
// of some number of positions). Fields: the cache (fuzz_cache.h), query heads per KV head, a
// head-dim mismatch flag, causal, window, softcap pick, sinks flag, n_q, n_cached, n_table,
// key rope flag, its positions and rot_dim; the payload fills the cache and the table.
//
// Contract checks: a cache shape vane_kv_cache_bytes refuses, a cache that disagrees with the
// params, n_cached past the table, a causal n_q > n_cached, or a key rope table too short or of
// an odd or too wide rot_dim must be refused; an accepted call reads only the cache, the table
// entries of positions a query sees and the rope rows up to n_cached, and writes every float of
// out (poisoned with a signalling NaN first: no arithmetic result is one).
#include "fuzz_cache.h"

using namespace fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Input in(data, size);
    select_cpu(in);
    FuzzCache fc;
    fc.read(in);
    const vane_kv_cache &c = fc.c;
    const int64_t group = in.size(4);
    const uint8_t flags = in.u8();
    const int64_t window = in.size(128);
    static const float caps[4] = {0.0f, 30.0f, -1.0f, __builtin_inff()};
    vane_attention_params p{};
    p.n_kv_heads = c.n_kv_heads;
    p.n_heads = mul(c.n_kv_heads, group);
    p.head_dim = flags & 1 && c.head_dim < 4096 ? c.head_dim + 1 : c.head_dim;
    p.scale = 0.125f;
    p.causal = flags & 2 ? 1 : 0;
    p.window = window;
    p.softcap = caps[(flags >> 2) & 3];
    const bool sinks = flags & 16, rope = flags & 32;
    const int64_t n_q = in.size(64), n_cached = in.size(2048), n_table = in.size(64);
    const int64_t rope_positions = in.size(2048), rot_dim = in.size(64);
    fc.fill(in.rest(), in.left());
    // The key rope table: rope_positions x rot_dim floats; a negative size is refused below, an
    // overflowing or large one cannot be allocated.
    const bool rope_negative = rope_positions < 0 || rot_dim < 0;
    const int64_t rope_elems = rope_negative ? 0 : mul(rope_positions, rot_dim);
    if (!fc.usable || p.n_heads < 1 || p.n_heads > 4096 || !affordable(n_table, 4) || (rope && !affordable(rope_elems, 4))) {
        // The shapes libvane must refuse whatever the buffers: a cache it cannot size, a table of
        // a negative length.
        if (fc.valid && n_table >= 0) return 0;
        Buf<float> tiny(1);
        Buf<int32_t> t(1);
        p.n_heads = p.n_heads < 1 ? 1 : p.n_heads;
        must_fail(vane_attention_cached(&p, tiny.get(), n_q, &c, t.get(), n_table, n_cached, nullptr, tiny.get()),
                  "vane_attention_cached accepted a bad cache or table length");
        return 0;
    }
    Buf<int32_t> table(n_table);
    table.fill(in.rest(), in.left());
    for (int64_t i = 0; i < n_table; i++)  // mostly blocks of the pool, so that calls get past the checks
        if (!(flags & 64)) table.get()[i] = int32_t(uint32_t(table.get()[i]) % uint32_t(c.n_blocks));
    Buf<float> sink(p.n_heads), rope_table(rope && rope_elems > 0 ? rope_elems : 1);
    for (int64_t h = 0; h < p.n_heads; h++) sink.get()[h] = float(h % 3) - 1.0f;
    for (int64_t i = 0; i < rope_table.size(); i++) rope_table.get()[i] = (i & 1) ? 0.6f : 0.8f;
    p.sinks = sinks ? sink.get() : nullptr;
    vane_key_rope kr{rope_table.get(), rope_positions, rot_dim, int32_t(flags >> 7)};

    const bool bad_params = p.head_dim != c.head_dim || !(p.softcap >= 0.0f) || __builtin_isinf(p.softcap) || window < 0;
    const bool bad_rope = rope && (rot_dim < 0 || rot_dim % 2 != 0 || rot_dim > p.head_dim || rope_positions < n_cached);
    const bool bad_sizes = n_q < 0 || n_cached < 0 || (p.causal && n_q > n_cached) || n_cached > n_table * c.block_tokens;
    const int64_t q_count = mul(n_q, mul(p.n_heads, p.head_dim));
    if (bad_params || bad_rope || bad_sizes) {
        Buf<float> tiny(1);
        must_fail(vane_attention_cached(&p, tiny.get(), n_q, &c, table.get(), n_table, n_cached, rope ? &kr : nullptr, tiny.get()),
                  "vane_attention_cached accepted params, sizes or a key rope it must refuse");
        return 0;
    }
    const int64_t work = mul(q_count, n_cached);
    if (!affordable(q_count, 4) || work < 0 || work > (int64_t(1) << 24)) return 0;
    Buf<float> q(q_count), out(q_count);
    for (int64_t i = 0; i < q_count; i++) q.get()[i] = float(i % 11) * 0.25f - 1.0f;
    poison(out.get(), q_count);
    const vane_status s = vane_attention_cached(&p, q.get(), n_q, &c, table.get(), n_table, n_cached, rope ? &kr : nullptr, out.get());
    if (s != VANE_OK) return 0;  // e.g. a table entry a query sees is outside the pool
    if (any_unwritten(out.get(), q_count)) contract("vane_attention_cached left an output float unwritten", s);
    return 0;
}
