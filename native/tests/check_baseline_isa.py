#!/usr/bin/env python3
"""Fails if code that may run on any x86-64 CPU uses instructions beyond the baseline.

A CPU without AVX dies with SIGILL on the first VEX/EVEX instruction. Only the per-ISA
translation units (named x86_avx2*, later x86_avx512*) may contain such instructions, and the
library must not pick an AVX-compiled copy of a function that baseline code also calls (an
inline function emitted in both objects, where the linker keeps either).

usage: check_baseline_isa.py LIBRARY "OBJ1|OBJ2|..."
"""
import re
import subprocess
import sys

# VEX/EVEX-encoded instructions show as v-prefixed mnemonics or ymm/zmm/k-mask operands;
# also flag the post-SSE2 scalar extensions a baseline build must not emit.
WIDE = re.compile(r"%[yz]mm\d|%k[0-7]\b")
EXTRA = {"andn", "bextr", "blsi", "blsr", "bzhi", "pdep", "pext", "sarx", "shlx", "shrx", "rorx",
         "tzcnt", "lzcnt", "popcnt", "movbe", "crc32", "pshufb", "ptest", "pblendvb", "blendvps",
         "roundps", "roundss", "roundsd", "pmulld", "pminsd", "pmaxsd", "pextrd", "pinsrd", "dpps"}
PER_ISA = re.compile(r"x86_avx")


def functions_with_wide_code(path):
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "-C", path],
                         capture_output=True, text=True, check=True).stdout
    bad, current = {}, None
    for line in out.splitlines():
        head = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if head:
            current = head.group(1)
            continue
        parts = line.split("\t")
        if current is None or len(parts) < 2:
            continue
        mnemonic = parts[1].split()[0] if parts[1].split() else ""
        if (mnemonic.startswith("v") and mnemonic not in ("verr", "verw")) or WIDE.search(line) \
                or mnemonic in EXTRA:
            bad.setdefault(current, line.strip())
    return bad


def defined_functions(path):
    out = subprocess.run(["nm", "-C", "--defined-only", path], capture_output=True, text=True,
                         check=True).stdout
    return {line.split(" ", 2)[2] for line in out.splitlines() if len(line.split(" ", 2)) == 3
            and line.split(" ", 2)[1] in "TtWw"}


def main():
    library, objects = sys.argv[1], [o for o in sys.argv[2].split("|") if o]
    per_isa = [o for o in objects if PER_ISA.search(o)]
    baseline = [o for o in objects if not PER_ISA.search(o)]
    errors = []
    baseline_names = set()
    for obj in baseline:
        for fn, insn in functions_with_wide_code(obj).items():
            errors.append(f"{obj}: {fn} uses '{insn}'")
        baseline_names |= defined_functions(obj)
    allowed = set()
    for obj in per_isa:
        allowed |= defined_functions(obj)
    allowed -= baseline_names  # a function both sides define may be either copy in the library
    wide_in_library = functions_with_wide_code(library)
    for fn, insn in wide_in_library.items():
        if fn not in allowed:
            errors.append(f"{library}: {fn} uses '{insn}' but is not private to a per-ISA unit")
    for e in errors:
        print("FAIL", e)
    print(f"baseline_isa_check: {len(baseline)} baseline objects, {len(per_isa)} per-ISA objects, "
          f"{len(wide_in_library)} wide functions in the library, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
