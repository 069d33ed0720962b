// vane_abi_describe: its errors, and a table that is well formed (each struct's size entry
// first, then fields inside it, in order, without overlap). With --list, prints the table as
// "struct field offset size" lines for check_abi_table.py, which compares it with vane.h.
#include <stdio.h>
#include <string.h>

#include <string>

#include "check.h"
#include "vane.h"

static int list_table() {
    const char *s, *f;
    int64_t off, size;
    for (int32_t i = 0; vane_abi_describe(i, &s, &f, &off, &size) == VANE_OK; ++i)
        printf("%s %s %lld %lld\n", s, *f ? f : "-", (long long)off, (long long)size);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--list") == 0) return list_table();

    const char *s = nullptr, *f = nullptr;
    int64_t off = -1, size = -1;
    CHECK(vane_abi_describe(-1, &s, &f, &off, &size) == VANE_E_INVALID_ARGUMENT && strstr(vane_last_error(), "index must be >= 0, got -1"),
          "%s", vane_last_error());
    CHECK(vane_abi_describe(0, nullptr, &f, &off, &size) == VANE_E_INVALID_ARGUMENT && strstr(vane_last_error(), "must not be null"),
          "%s", vane_last_error());
    CHECK(vane_abi_describe(0, &s, &f, &off, nullptr) == VANE_E_INVALID_ARGUMENT, "null size");

    int32_t n = 0, structs = 0;
    std::string current;
    int64_t current_size = 0, field_end = 0;
    while (vane_abi_describe(n, &s, &f, &off, &size) == VANE_OK) {
        if (*f == 0) {
            CHECK(s != current, "%s has two size entries", s);
            CHECK(off == 0 && size > 0, "%s: size entry offset %lld size %lld", s, (long long)off, (long long)size);
            current = s, current_size = size, field_end = 0, ++structs;
        } else {
            CHECK(s == current, "field %s.%s does not follow its struct's size entry (after %s)", s, f, current.c_str());
            CHECK(off >= field_end, "%s.%s at %lld overlaps the field before it (ends at %lld)", s, f, (long long)off, (long long)field_end);
            CHECK(size > 0 && off + size <= current_size, "%s.%s [%lld, +%lld) outside the struct's %lld bytes", s, f, (long long)off,
                  (long long)size, (long long)current_size);
            field_end = off + size;
        }
        ++n;
    }
    CHECK(vane_abi_describe(n, &s, &f, &off, &size) == VANE_E_OUT_OF_RANGE && strstr(vane_last_error(), "past the last entry"),
          "%s", vane_last_error());
    CHECK(structs >= 38, "expected the 38 structs of vane.h, got %d", structs);

    // Spot checks against the compiler at the caller's side (the same header, another unit).
    bool found = false;
    for (int32_t i = 0; i < n; ++i) {
        vane_abi_describe(i, &s, &f, &off, &size);
        if (strcmp(s, "vane_ffn") == 0 && strcmp(f, "gate_bias") == 0) {
            found = true;
            CHECK(off == (int64_t)offsetof(vane_ffn, gate_bias) && size == (int64_t)sizeof(void *), "vane_ffn.gate_bias %lld %lld",
                  (long long)off, (long long)size);
        }
        if (strcmp(s, "vane_block_q4_kx8") == 0 && *f == 0) CHECK(size == 1184, "vane_block_q4_kx8 is %lld bytes", (long long)size);
    }
    CHECK(found, "vane_ffn.gate_bias missing from the table");
    return finish("test_abi");
}
