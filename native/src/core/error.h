// Thread-local last-error message behind vane_last_error().
#pragma once
#include "vane.h"

namespace vane {

// Records a printf-style message for this thread and returns status, so callers can write
// `return fail(VANE_E_INVALID_ARGUMENT, "rows must be >= 0, got %lld", rows);`.
vane_status fail(vane_status status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void clear_error();
const char *last_error();

}  // namespace vane

// Wraps the body of an exported function: a C++ exception never crosses the ABI.
#define VANE_GUARD_BEGIN try {
#define VANE_GUARD_END                                                       \
    }                                                                        \
    catch (const std::bad_alloc &) {                                         \
        return vane::fail(VANE_E_OUT_OF_MEMORY, "out of memory");            \
    }                                                                        \
    catch (const std::exception &e) {                                        \
        return vane::fail(VANE_E_INTERNAL, "internal error: %s", e.what());  \
    }                                                                        \
    catch (...) {                                                            \
        return vane::fail(VANE_E_INTERNAL, "internal error: unknown exception"); \
    }
