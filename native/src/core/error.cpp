#include "error.h"

#include <stdarg.h>
#include <stdio.h>

namespace vane {

namespace {
thread_local char t_message[512];
}

vane_status fail(vane_status status, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(t_message, sizeof t_message, fmt, args);
    va_end(args);
    return status;
}

void clear_error() { t_message[0] = '\0'; }

const char *last_error() { return t_message; }

}  // namespace vane
