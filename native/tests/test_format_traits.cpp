// The traits table (quant/formats.cpp) against what it describes: vane_format_info, the block
// structs, llama.cpp's own sizes for every format with a GGUF type (ggml_blck_size /
// ggml_type_size through tests/ggml_peer.h), each block format's reference codecs, and
// vane_quant_check, which must find a NaN or Inf in every scale field the traits name and
// nothing in a matrix whose scales are finite.
#include <vector>

#include "check.h"
#include "ggml_peer.h"
#include "quant/quant.h"
#include "vane.h"

namespace {

using vane::FormatTraits;

void test_table_agrees_with_info_and_llama_cpp() {
    typedef int64_t (*blck_size_t)(int32_t);
    typedef size_t (*type_size_t)(int32_t);
    const auto blck_size = ggml_peer<blck_size_t>("ggml_blck_size");
    const auto type_size = ggml_peer<type_size_t>("ggml_type_size");
    int n = 0;
    const FormatTraits *table = vane::format_table(&n);
    CHECK(n == VANE_FORMAT_IQ4_NL_X8 + 1, "the table holds every id 0..%d, got %d entries", VANE_FORMAT_IQ4_NL_X8, n);
    for (int i = 0; i < n; i++) {
        const FormatTraits &f = table[i];
        CHECK(f.format == i, "entry %d holds format %d (the table is in id order)", i, f.format);
        CHECK(vane::format_traits(f.format) == &f, "%s: format_traits finds its entry", f.name);
        vane_format_desc d;
        CHECK(vane_format_info(f.format, &d) == VANE_OK, "%s", vane_last_error());
        CHECK(d.block_elems == f.block_elems && d.block_bytes == f.block_bytes && d.row_group == f.row_group &&
                  strcmp(d.name, f.name) == 0,
              "%s: vane_format_info agrees with the table", f.name);
        if (f.ggml_type >= 0) {
            CHECK(blck_size(f.ggml_type) == f.block_elems && (int64_t)type_size(f.ggml_type) == f.block_bytes,
                  "%s: llama.cpp's type %d has %lld elements in %lld bytes, the table %d in %d", f.name, f.ggml_type,
                  (long long)blck_size(f.ggml_type), (long long)type_size(f.ggml_type), f.block_elems, f.block_bytes);
        }
        const bool block = f.block_elems > 1 && vane::row_group_layout(f.format) == nullptr;  // not the x8 formats
        CHECK(block == (f.quantize_block != nullptr && f.dequantize_block != nullptr), "%s: block formats (only) have codecs", f.name);
        CHECK((f.act == vane::ACT_NONE) == (f.block_elems == 1), "%s: the integer formats (only) quantize x", f.name);
    }
    CHECK(sizeof(vane_block_q2_k) == 84 && sizeof(vane_block_q6_k) == 210 && sizeof(vane_block_mxfp4) == 17, "block structs");
}

// A matrix of rows x cols in format f quantized from seeded data: the codecs round-trip to finite
// values, and vane_quant_check accepts it, then finds a poisoned scale in each field.
void test_codecs_and_scale_check(const FormatTraits &f) {
    const int64_t rows = 3, cols = f.block_elems == 1 ? 40 : 2 * f.block_elems * (f.block_elems == 32 ? 4 : 1);
    int64_t bytes = 0;
    CHECK(vane_quant_size(f.format, rows * f.row_group, cols, &bytes) == VANE_OK, "%s", vane_last_error());
    const int64_t r = rows * f.row_group;
    Rng rng(100 + f.format);
    std::vector<float> x((size_t)(r * cols)), y((size_t)(r * cols), -1.0f);
    for (float &v : x) v = (float)rng.normal();
    std::vector<uint8_t> q((size_t)bytes, 0xA5);
    CHECK(vane_quant_quantize(f.format, x.data(), r, cols, q.data(), bytes) == VANE_OK, "%s: %s", f.name, vane_last_error());
    CHECK(vane_quant_dequantize(f.format, q.data(), bytes, r, cols, y.data()) == VANE_OK, "%s: %s", f.name, vane_last_error());
    double err = 0;
    for (size_t i = 0; i < x.size(); i++) err = fmax(err, fabs((double)x[i] - y[i]));
    CHECK(err < 1.5, "%s: round trip of N(0, 1) values within 1.5 (got %g)", f.name, err);  // a loose sanity bound: the exact ones are in test_quant and the peer tests
    CHECK(vane_quant_check(f.format, q.data(), bytes, r, cols) == VANE_OK, "%s: finite scales pass: %s", f.name, vane_last_error());
    if (f.scale_kind == vane::SCALE_NONE) return;
    if (f.planar) {
        std::vector<uint8_t> bad = q;
        const float inf = INFINITY;
        memcpy(bad.data() + vane::planar_scales_offset(r, cols), &inf, 4);
        CHECK(vane_quant_check(f.format, bad.data(), bytes, r, cols) == VANE_E_NON_FINITE, "%s: an Inf scale is found", f.name);
        return;
    }
    const int64_t nb = cols / f.block_elems;
    for (int s = 0; s < 2 && f.scale_at[s] >= 0; s++) {
        for (int64_t at : {int64_t(0), r * nb - 1}) {  // the first and the last block
            std::vector<uint8_t> bad = q;
            uint8_t *p = bad.data() + at * f.block_bytes + f.scale_at[s];
            if (f.scale_kind == vane::SCALE_F16) memcpy(p, "\x00\x7e", 2);  // fp16 NaN
            else if (f.scale_kind == vane::SCALE_F32) memcpy(p, "\x00\x00\x80\x7f", 4);  // f32 +Inf
            else *p = 0xff;  // E8M0 NaN
            const vane_status st = vane_quant_check(f.format, bad.data(), bytes, r, cols);
            CHECK(st == VANE_E_NON_FINITE, "%s: a bad scale field %d in block %lld is found (status %d)", f.name, s, (long long)at, st);
            char want[64];
            snprintf(want, sizeof want, "row %lld, block %lld", (long long)(at / nb), (long long)(at % nb));
            CHECK(strstr(vane_last_error(), want) != nullptr, "%s: the message names %s: %s", f.name, want, vane_last_error());
        }
    }
}

void test_check_errors() {
    uint8_t buf[64] = {0};
    CHECK(vane_quant_check(999, buf, 64, 1, 32) == VANE_E_INVALID_ARGUMENT, "unknown format");
    CHECK(vane_quant_check(VANE_FORMAT_Q4_K, buf, 64, 1, 100) == VANE_E_INVALID_ARGUMENT, "cols not a multiple of 256");
    CHECK(strstr(vane_last_error(), "256") != nullptr, "the message names the block: %s", vane_last_error());
    CHECK(vane_quant_check(VANE_FORMAT_Q4_K, buf, 64, 1, 256) == VANE_E_BUFFER_TOO_SMALL, "144 bytes needed");
    CHECK(vane_quant_check(VANE_FORMAT_Q4_K, nullptr, 144, 1, 256) == VANE_E_INVALID_ARGUMENT, "null src");
    CHECK(vane_quant_check(VANE_FORMAT_Q4_K, nullptr, 0, 0, 256) == VANE_OK, "an empty matrix passes");
}

}  // namespace

int main() {
    test_table_agrees_with_info_and_llama_cpp();
    int n = 0;
    const FormatTraits *table = vane::format_table(&n);
    for (int i = 0; i < n; i++) test_codecs_and_scale_check(table[i]);
    test_check_errors();
    return finish("test_format_traits");
}
