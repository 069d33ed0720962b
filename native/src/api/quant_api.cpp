// Exported number-format functions: argument checks, then the active variant's kernels spread
// over the thread pool.
#include <math.h>

#include <atomic>
#include <stdint.h>
#include <exception>
#include <new>
#include <vector>

#include "api/args.h"
#include "core/dispatch.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "quant/quant.h"

namespace {

using vane::fail;
using vane::FormatTraits;

// Elements per pool task: large enough that scheduling costs nothing next to the work.
constexpr int64_t kElemsPerTask = 1 << 16;

vane_status check_shape(const char *fn, int32_t format, int64_t rows, int64_t cols,
                        const FormatTraits **out) {
    const FormatTraits *f = vane::format_traits(format);
    if (!f) return fail(VANE_E_INVALID_ARGUMENT, "%s: unknown format id %d", fn, format);
    if (rows < 0 || cols < 0)
        return fail(VANE_E_INVALID_ARGUMENT, "%s: rows and cols must be >= 0, got [%lld, %lld]", fn,
                    (long long)rows, (long long)cols);
    if (cols % f->block_elems != 0)
        return fail(VANE_E_INVALID_ARGUMENT,
                    "%s: cols (K) = %lld is not a multiple of the %s block size %d", fn,
                    (long long)cols, f->name, f->block_elems);
    if (rows % vane::row_group(*f) != 0)
        return fail(VANE_E_INVALID_ARGUMENT, "%s: rows = %lld is not a multiple of %lld (%s stores rows in groups of %lld)", fn,
                    (long long)rows, (long long)vane::row_group(*f), f->name, (long long)vane::row_group(*f));
    // Keep every byte count comfortably inside int64.
    if (cols > 0 && rows > (int64_t(1) << 60) / cols)
        return fail(VANE_E_INVALID_ARGUMENT, "%s: matrix [%lld, %lld] is too large", fn,
                    (long long)rows, (long long)cols);
    *out = f;
    return VANE_OK;
}

vane_status overlap_error(const char *fn) {
    return fail(VANE_E_INVALID_ARGUMENT, "%s: src and dst overlap; use separate buffers", fn);
}

// Row-range grain for the pool; planar tiles of 128 rows must stay whole.
int64_t row_grain(const FormatTraits &f, int64_t cols) {
    int64_t g = cols > 0 ? kElemsPerTask / cols : 1;
    if (g < 1) g = 1;
    if (f.planar && f.scale_rows > 1) g = (g + f.scale_rows - 1) / f.scale_rows * f.scale_rows;
    const int64_t group = vane::row_group(f);
    return (g + group - 1) / group * group;
}

// Explains a quantize failure: finds the first offending element (slow path, errors only).
// A non-finite input is reported first, whatever the row ranges found.
vane_status quantize_failure(const FormatTraits &f, const float *src, int64_t rows, int64_t cols) {
    for (int64_t i = 0; i < rows * cols; ++i) {
        if (!isfinite(src[i]))
            return fail(VANE_E_NON_FINITE,
                        "quantize to %s: input holds %s at [%lld, %lld]; only finite values can be quantized",
                        f.name, isnan(src[i]) ? "NaN" : "Inf", (long long)(i / cols),
                        (long long)(i % cols));
    }
    float amax = 0.0f;
    for (int64_t i = 0; i < rows * cols; ++i) amax = fmaxf(amax, fabsf(src[i]));
    return fail(VANE_E_OUT_OF_RANGE,
                "quantize to %s: values up to |x| = %g overflow the format's fp16 scale; "
                "use a format with f32 scales (int8_g*, fp8_*) or rescale the weights",
                f.name, (double)amax);
}

}  // namespace

extern "C" {

VANE_API vane_status vane_quant_size(int32_t format, int64_t rows, int64_t cols, int64_t *out_bytes) {
    const FormatTraits *f = nullptr;
    if (vane_status s = check_shape("vane_quant_size", format, rows, cols, &f)) return s;
    if (!out_bytes) return fail(VANE_E_INVALID_ARGUMENT, "vane_quant_size: out_bytes is null");
    *out_bytes = vane::quant_size(*f, rows, cols);
    return VANE_OK;
}

VANE_API vane_status vane_quant_quantize(int32_t format, const float *src, int64_t rows, int64_t cols,
                                         void *dst, int64_t dst_bytes) {
    const FormatTraits *f = nullptr;
    if (vane_status s = check_shape("vane_quant_quantize", format, rows, cols, &f)) return s;
    const int64_t need = vane::quant_size(*f, rows, cols);
    if (dst_bytes < need)
        return fail(VANE_E_BUFFER_TOO_SMALL, "vane_quant_quantize: %s [%lld, %lld] needs %lld bytes, dst has %lld",
                    f->name, (long long)rows, (long long)cols, (long long)need, (long long)dst_bytes);
    if (rows * cols == 0) return VANE_OK;
    if (!src || !dst) return fail(VANE_E_INVALID_ARGUMENT, "vane_quant_quantize: src or dst is null");
    if (vane::overlaps(src, rows * cols * 4, dst, need)) return overlap_error("vane_quant_quantize");
    VANE_GUARD_BEGIN
    const vane::QuantKernels &k = vane::quant_variants.active();
    std::atomic<bool> failed{false};
    const vane::RowGroupLayout *x8 = vane::row_group_layout(format);
    vane::parallel_for(rows, row_grain(*f, cols), [&](int64_t r0, int64_t r1) {
        if (!x8) {
            if (k.quantize(format, src, rows, cols, r0, r1, dst) != vane::QUANT_OK) failed.store(true);
            return;
        }
        // q4_0x8, q4_kx8: each group of 8 rows quantized to the rows' format, then interleaved.
        const vane::FormatTraits &rf = *vane::format_traits(x8->row_format);
        const int64_t nb = cols / rf.block_elems;
        std::vector<uint8_t> rows8((size_t)(8 * nb * rf.block_bytes));
        for (int64_t r = r0; r < r1; r += 8) {
            if (k.quantize(x8->row_format, src + r * cols, 8, cols, 0, 8, rows8.data()) != vane::QUANT_OK) failed.store(true);
            x8->put_group(rows8.data(), nb, (uint8_t *)dst + r * nb * f->block_bytes);
        }
    });
    if (failed.load()) return quantize_failure(*f, src, rows, cols);
    return VANE_OK;
    VANE_GUARD_END
}

VANE_API vane_status vane_quant_dequantize(int32_t format, const void *src, int64_t src_bytes,
                                           int64_t rows, int64_t cols, float *dst) {
    const FormatTraits *f = nullptr;
    if (vane_status s = check_shape("vane_quant_dequantize", format, rows, cols, &f)) return s;
    const int64_t need = vane::quant_size(*f, rows, cols);
    if (src_bytes < need)
        return fail(VANE_E_BUFFER_TOO_SMALL, "vane_quant_dequantize: %s [%lld, %lld] needs %lld bytes, src has %lld",
                    f->name, (long long)rows, (long long)cols, (long long)need, (long long)src_bytes);
    if (rows * cols == 0) return VANE_OK;
    if (!src || !dst) return fail(VANE_E_INVALID_ARGUMENT, "vane_quant_dequantize: src or dst is null");
    if (vane::overlaps(src, need, dst, rows * cols * 4)) return overlap_error("vane_quant_dequantize");
    VANE_GUARD_BEGIN
    const vane::QuantKernels &k = vane::quant_variants.active();
    const vane::RowGroupLayout *x8 = vane::row_group_layout(format);
    vane::parallel_for(rows, row_grain(*f, cols), [&](int64_t r0, int64_t r1) {
        if (!x8) return k.dequantize(format, src, rows, cols, r0, r1, dst);
        // q4_0x8, q4_kx8: each row copied out in the rows' format, then that format's kernel.
        const vane::FormatTraits &rf = *vane::format_traits(x8->row_format);
        const int64_t nb = cols / rf.block_elems;
        std::vector<uint8_t> row((size_t)(nb * rf.block_bytes));
        for (int64_t r = r0; r < r1; r++) {
            x8->get_row(src, r, nb, row.data());
            k.dequantize(x8->row_format, row.data(), 1, cols, 0, 1, dst + r * cols);
        }
    });
    return VANE_OK;
    VANE_GUARD_END
}

VANE_API vane_status vane_quant_check(int32_t format, const void *src, int64_t src_bytes, int64_t rows, int64_t cols) {
    const FormatTraits *f = nullptr;
    if (vane_status s = check_shape("vane_quant_check", format, rows, cols, &f)) return s;
    const int64_t need = vane::quant_size(*f, rows, cols);
    if (src_bytes < need)
        return fail(VANE_E_BUFFER_TOO_SMALL, "vane_quant_check: %s [%lld, %lld] needs %lld bytes, src has %lld", f->name,
                    (long long)rows, (long long)cols, (long long)need, (long long)src_bytes);
    if (rows * cols == 0) return VANE_OK;
    if (!src) return fail(VANE_E_INVALID_ARGUMENT, "vane_quant_check: src is null");
    VANE_GUARD_BEGIN
    // Rows in parallel; the first bad row found by the lowest chunk is reported.
    std::atomic<int64_t> bad{INT64_MAX};
    vane::parallel_for(rows, row_grain(*f, cols), [&](int64_t r0, int64_t r1) {
        char why[8];
        for (int64_t r = r0; r < r1 && r < bad.load(); r++) {
            if (!vane::check_scales(*f, src, rows, cols, r, r + 1, why, sizeof why)) {
                int64_t cur = bad.load();
                while (r < cur && !bad.compare_exchange_weak(cur, r)) {
                }
                return;
            }
        }
    });
    if (bad.load() == INT64_MAX) return VANE_OK;
    char why[200];
    const int64_t r = bad.load();
    vane::check_scales(*f, src, rows, cols, r, r + 1, why, sizeof why);
    return fail(VANE_E_NON_FINITE, "%s [%lld, %lld]: %s", f->name, (long long)rows, (long long)cols, why);
    VANE_GUARD_END
}

VANE_API vane_status vane_quant_repack(int32_t from_format, const void *src, int64_t src_bytes, int64_t rows,
                                       int64_t cols, int32_t to_format, void *dst, int64_t dst_bytes) {
    const FormatTraits *from = nullptr, *to = nullptr;
    if (vane_status s = check_shape("vane_quant_repack", from_format, rows, cols, &from)) return s;
    if (vane_status s = check_shape("vane_quant_repack", to_format, rows, cols, &to)) return s;
    const vane::RowGroupLayout *x8 = vane::row_group_layout(to_format);
    if (!x8 || x8->row_format != from_format)
        return fail(VANE_E_UNSUPPORTED, "vane_quant_repack: %s -> %s is not supported (supported: q4_0 -> q4_0x8, q4_k -> q4_kx8, q6_k -> q6_kx8, iq4_xs -> iq4_xsx8, iq4_nl -> iq4_nlx8)",
                    from->name, to->name);
    const int64_t in = vane::quant_size(*from, rows, cols), out = vane::quant_size(*to, rows, cols);
    if (src_bytes < in || dst_bytes < out)
        return fail(VANE_E_BUFFER_TOO_SMALL, "vane_quant_repack: [%lld, %lld] needs %lld bytes of %s and %lld of %s, got %lld and %lld",
                    (long long)rows, (long long)cols, (long long)in, from->name, (long long)out, to->name, (long long)src_bytes,
                    (long long)dst_bytes);
    if (rows * cols == 0) return VANE_OK;
    if (!src || !dst) return fail(VANE_E_INVALID_ARGUMENT, "vane_quant_repack: src or dst is null");
    if (vane::overlaps(src, in, dst, out)) return overlap_error("vane_quant_repack");
    VANE_GUARD_BEGIN
    const int64_t nb = cols / from->block_elems, in_group = 8 * nb * from->block_bytes, out_group = 8 * nb * to->block_bytes;
    vane::parallel_for(rows / 8, kElemsPerTask / cols + 1, [&](int64_t g0, int64_t g1) {
        for (int64_t g = g0; g < g1; g++) x8->put_group((const uint8_t *)src + g * in_group, nb, (uint8_t *)dst + g * out_group);
    });
    return VANE_OK;
    VANE_GUARD_END
}

static vane_status check_fp8(const char *fn, int32_t kind, const void *src, int64_t src_size,
                             const void *dst, int64_t dst_size, int64_t n) {
    if (kind != VANE_FP8_E4M3 && kind != VANE_FP8_E5M2)
        return fail(VANE_E_INVALID_ARGUMENT, "%s: unknown fp8 kind %d: expected 0 (e4m3) or 1 (e5m2)", fn, kind);
    if (n < 0) return fail(VANE_E_INVALID_ARGUMENT, "%s: n must be >= 0, got %lld", fn, (long long)n);
    if (n > 0 && (!src || !dst)) return fail(VANE_E_INVALID_ARGUMENT, "%s: src or dst is null", fn);
    if (n > (int64_t(1) << 60)) return fail(VANE_E_INVALID_ARGUMENT, "%s: n = %lld is too large", fn, (long long)n);
    if (n > 0 && vane::overlaps(src, n * src_size, dst, n * dst_size)) return overlap_error(fn);
    return VANE_OK;
}

VANE_API vane_status vane_fp8_encode(int32_t kind, const float *src, uint8_t *dst, int64_t n) {
    if (vane_status s = check_fp8("vane_fp8_encode", kind, src, 4, dst, 1, n)) return s;
    VANE_GUARD_BEGIN
    const vane::QuantKernels &k = vane::quant_variants.active();
    vane::parallel_for(n, 4 * kElemsPerTask, [&](int64_t b, int64_t e) {
        k.fp8_encode(kind, src + b, dst + b, e - b);
    });
    return VANE_OK;
    VANE_GUARD_END
}

VANE_API vane_status vane_fp8_decode(int32_t kind, const uint8_t *src, float *dst, int64_t n) {
    if (vane_status s = check_fp8("vane_fp8_decode", kind, src, 1, dst, 4, n)) return s;
    VANE_GUARD_BEGIN
    const vane::QuantKernels &k = vane::quant_variants.active();
    vane::parallel_for(n, 4 * kElemsPerTask, [&](int64_t b, int64_t e) {
        k.fp8_decode(kind, src + b, dst + b, e - b);
    });
    return VANE_OK;
    VANE_GUARD_END
}

}  // extern "C"
