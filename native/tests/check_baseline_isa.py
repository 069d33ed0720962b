#!/usr/bin/env python3
"""Fails if code may run on a CPU that lacks its instructions.

A CPU without AVX dies with SIGILL on the first VEX instruction, one without AVX-512 on the first
EVEX one. Each object has a level from its name: x86_avx512* units may use AVX-512, x86_avx2*
units AVX2 but not AVX-512, every other unit only baseline x86-64. No function may use
instructions above its unit's level, and the library must not pick a higher unit's copy of a
function that a lower unit also defines (an inline function emitted in both, where the linker
keeps either): a function's code in the library must fit the lowest level that defines it.

usage: check_baseline_isa.py LIBRARY "OBJ1|OBJ2|..."
"""
import re
import subprocess
import sys

BASELINE, AVX2, AVX512 = 0, 1, 2
NAMES = {BASELINE: "baseline", AVX2: "AVX2", AVX512: "AVX-512"}

# EVEX (AVX-512): zmm, opmask or upper-16 vector registers, masking/broadcast braces, or a
# mnemonic only EVEX encodes. "{vex}" marks the VEX form of an instruction AVX-512 also has.
EVEX_OPERAND = re.compile(r"%zmm\d|%k[0-7]\b|%[xy]mm(1[6-9]|2\d|3[01])\b|\{%k|\{1to\d+\}|\{[rs]")
EVEX_MNEMONIC = re.compile(r"^v(movdq[au](8|16|32|64)|pternlog|perm[it]2|pcompress|pexpand|pdpbusd|pdpwssd|dpbf16ps|"
                           r"cvtne2ps2bf16|cvtneps2bf16|pmov[dqw][bdw]|pmovus|pmovs[dqw]|pro[lr]|psravw|psllvw|psrlvw|scalef|"
                           r"rndscale|fixupimm|getexp|getmant|range|reduce|popcnt|pconflict|plzcnt|pabsq|p(max|min)[su]q|"
                           r"pmullq|cvt(u?qq2|tps2u?qq|tpd2u?qq|ps2u?qq|pd2u?qq)|broadcast[if](32x|64x)|extract[if](32x|64x)|"
                           r"insert[if](32x|64x)|shuf[if](32x|64x)|align[dq]|blendm|pblendm|pcmp[a-z]*[bdqw]\s.*%k|fpclass)")
# VEX (AVX/AVX2/FMA/F16C): v-prefixed mnemonics or ymm operands; also the post-SSE2 scalar
# extensions a baseline build must not emit (they come with AVX2-era CPUs).
YMM = re.compile(r"%ymm\d")
EXTRA = {"andn", "bextr", "blsi", "blsr", "bzhi", "pdep", "pext", "sarx", "shlx", "shrx", "rorx",
         "tzcnt", "lzcnt", "popcnt", "movbe", "crc32", "pshufb", "ptest", "pblendvb", "blendvps",
         "roundps", "roundss", "roundsd", "pmulld", "pminsd", "pmaxsd", "pextrd", "pinsrd", "dpps"}


def unit_level(path):
    if re.search(r"x86_avx512", path):
        return AVX512
    if re.search(r"x86_avx", path):
        return AVX2
    return BASELINE


def instruction_level(line, mnemonic, operands):
    if "{vex}" in line:
        return AVX2
    if EVEX_OPERAND.search(operands) or EVEX_MNEMONIC.search(mnemonic + " " + operands):
        return AVX512
    if (mnemonic.startswith("v") and mnemonic not in ("verr", "verw")) or YMM.search(operands) or mnemonic in EXTRA:
        return AVX2
    return BASELINE


def function_levels(path):
    """{function: (highest instruction level, the first instruction of that level)}."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "-C", path],
                         capture_output=True, text=True, check=True).stdout
    levels, current = {}, None
    for line in out.splitlines():
        head = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if head:
            current = head.group(1)
            continue
        parts = line.split("\t")
        if current is None or len(parts) < 2 or not parts[1].split():
            continue
        words = parts[1].split(None, 1)
        mnemonic, operands = words[0], words[1] if len(words) > 1 else ""
        level = instruction_level(parts[1], mnemonic, operands)
        if level > levels.get(current, (BASELINE, None))[0]:
            levels[current] = (level, line.strip())
    return levels


def defined_functions(path):
    out = subprocess.run(["nm", "-C", "--defined-only", path], capture_output=True, text=True,
                         check=True).stdout
    return {line.split(" ", 2)[2] for line in out.splitlines() if len(line.split(" ", 2)) == 3
            and line.split(" ", 2)[1] in "TtWw"}


def main():
    library, objects = sys.argv[1], [o for o in sys.argv[2].split("|") if o]
    errors = []
    lowest = {}  # function -> the lowest level of a unit that defines it
    counts = {BASELINE: 0, AVX2: 0, AVX512: 0}
    for obj in objects:
        level = unit_level(obj)
        counts[level] += 1
        for fn, (used, insn) in function_levels(obj).items():
            if used > level:
                errors.append(f"{obj}: {fn} uses '{insn}' ({NAMES[used]}) in a {NAMES[level]} unit")
        for fn in defined_functions(obj):
            lowest[fn] = min(lowest.get(fn, level), level)
    in_library = function_levels(library)
    for fn, (used, insn) in in_library.items():
        allowed = lowest.get(fn, BASELINE)
        if used > allowed:
            errors.append(f"{library}: {fn} uses '{insn}' ({NAMES[used]}) but a {NAMES[allowed]} unit defines it "
                          f"(or no per-ISA unit keeps it private)")
    for e in errors:
        print("FAIL", e)
    print(f"baseline_isa_check: {counts[BASELINE]} baseline, {counts[AVX2]} AVX2 and {counts[AVX512]} AVX-512 objects, "
          f"{sum(1 for u, _ in in_library.values() if u > BASELINE)} wide functions in the library, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
