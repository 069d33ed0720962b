// Exported core functions: version, last error, CPU dispatch, threads, format info.
#include <stdio.h>
#include <string.h>

#include <exception>
#include <new>

#include "core/dispatch.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "quant/quant.h"

extern "C" {

VANE_API const char *vane_last_error(void) { return vane::last_error(); }

VANE_API const char *vane_version(void) { return VANE_VERSION_STRING; }

VANE_API vane_status vane_cpu_features(vane_cpu_info *out) {
    if (!out) return vane::fail(VANE_E_INVALID_ARGUMENT, "vane_cpu_features: out is null");
    VANE_GUARD_BEGIN
    vane::describe_cpu(out);
    return VANE_OK;
    VANE_GUARD_END
}

VANE_API vane_status vane_cpu_select(int32_t isa) {
    VANE_GUARD_BEGIN
    return vane::select_isa(isa);
    VANE_GUARD_END
}

VANE_API vane_status vane_set_threads(int32_t n) {
    VANE_GUARD_BEGIN
    return vane::pool_set_threads(n);
    VANE_GUARD_END
}

VANE_API int32_t vane_get_threads(void) { return vane::pool_threads(); }

VANE_API vane_status vane_format_info(int32_t format, vane_format_desc *out) {
    if (!out) return vane::fail(VANE_E_INVALID_ARGUMENT, "vane_format_info: out is null");
    const vane::FormatTraits *f = vane::format_traits(format);
    if (!f) return vane::fail(VANE_E_INVALID_ARGUMENT, "unknown format id %d", format);
    memset(out, 0, sizeof *out);
    out->format = f->format;
    out->block_elems = f->block_elems;
    out->block_bytes = f->block_bytes;
    out->planar = f->planar;
    out->scale_rows = f->scale_rows;
    out->scale_cols = f->scale_cols;
    out->row_group = (int32_t)vane::row_group(*f);
    snprintf(out->name, sizeof out->name, "%s", f->name);
    return VANE_OK;
}

}  // extern "C"
