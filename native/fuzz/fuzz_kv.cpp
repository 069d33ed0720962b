// Fuzzes the KV cache writers with block tables the caller describes: vane_kv_write (a
// sequence's table, pos0, n) and vane_kv_copy_blocks (lists of block ids). Fields: the cache
// (fuzz_cache.h), op, n_table, pos0, n, a NaN flag; the payload gives the table's entries and
// the copy lists (int32, repeated as needed).
//
// Contract checks: a cache shape vane_kv_cache_bytes refuses, a position past the table, a table
// entry (of a written position) or a copied block outside the pool must be refused, and a NaN
// into FP8 storage too; an accepted call writes only the cache's storage.
#include "fuzz_cache.h"

using namespace fuzz;

namespace {

void write_positions(FuzzCache &fc, Input &in, bool nan) {
    const vane_kv_cache &c = fc.c;
    const int64_t n_table = in.size(64), pos0 = in.size(4096), n = in.size(256);
    const bool table_ok = n_table >= 0 && n_table <= (int64_t(1) << 31);
    Buf<int32_t> table(table_ok && affordable(n_table, 4) ? n_table : 1);
    table.fill(in.rest(), in.left());
    Buf<float> tiny(1);
    const int64_t far = int64_t(1) << 40;  // past any table a harness builds (2^21 entries of <= 32 positions)
    if (!fc.valid || pos0 < 0 || n < 0 || pos0 > far || n > far || !table_ok) {
        if (n == 0 && fc.valid && pos0 >= 0 && pos0 <= far) return;  // nothing to write: may be accepted
        must_fail(vane_kv_write(&c, table.get(), n_table, pos0, tiny.get(), tiny.get(), n), "vane_kv_write accepted a bad cache, position or table");
        return;
    }
    if (!fc.usable || !affordable(n_table, 4) || n == 0) return;
    const int64_t end = pos0 + n;  // both <= 2^40
    if (end > n_table * c.block_tokens || !fc.entries_in_pool(table.get(), pos0, end)) {
        must_fail(vane_kv_write(&c, table.get(), n_table, pos0, tiny.get(), tiny.get(), n),
                  "vane_kv_write accepted a position past its table or a block outside the pool");
        return;
    }
    const int64_t count = mul(n, mul(c.n_kv_heads, c.head_dim));
    if (!affordable(count, 4)) return;
    Buf<float> k(count), v(count);
    for (int64_t e = 0; e < count; e++) {
        k.get()[e] = float(e % 13) - 6.0f;
        v.get()[e] = float(e % 7) * 0.5f;
    }
    if (nan) k.get()[count / 2] = __builtin_nanf("");
    const vane_status s = vane_kv_write(&c, table.get(), n_table, pos0, k.get(), v.get(), n);
    if (nan && c.dtype == VANE_KV_FP8_E4M3) must_fail(s, "vane_kv_write stored a NaN in FP8 storage");
    else if (s != VANE_OK) contract("vane_kv_write refused a valid write", s);
}

void copy_blocks(FuzzCache &fc, Input &in) {
    const vane_kv_cache &c = fc.c;
    const int64_t n = in.size(16);
    Buf<int32_t> from(affordable(n, 4) ? n : 1), to(affordable(n, 4) ? n : 1);
    from.fill(in.rest(), in.left());
    to.fill(in.left() > 4 ? in.rest() + 4 : in.rest(), in.left() > 4 ? in.left() - 4 : in.left());
    if (!fc.valid || n < 0) {
        if (n == 0 && fc.valid) return;
        must_fail(vane_kv_copy_blocks(&c, from.get(), to.get(), n), "vane_kv_copy_blocks accepted a bad cache or count");
        return;
    }
    if (!fc.usable || !affordable(n, 4)) return;
    bool in_pool = true;
    for (int64_t i = 0; i < n; i++)
        in_pool = in_pool && from.get()[i] >= 0 && from.get()[i] < c.n_blocks && to.get()[i] >= 0 && to.get()[i] < c.n_blocks;
    const vane_status s = vane_kv_copy_blocks(&c, from.get(), to.get(), n);
    if (!in_pool) must_fail(s, "vane_kv_copy_blocks accepted a block outside the pool");
    else if (s != VANE_OK) contract("vane_kv_copy_blocks refused a valid copy", s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Input in(data, size);
    select_cpu(in);
    FuzzCache fc;
    fc.read(in);
    const uint8_t op = in.u8();
    fc.fill(in.rest(), in.left());
    if (op & 1) copy_blocks(fc, in);
    else write_positions(fc, in, op & 2);
    return 0;
}
