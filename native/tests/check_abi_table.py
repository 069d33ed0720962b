#!/usr/bin/env python3
"""Checks that vane_abi_describe's table covers vane.h: every `typedef struct` of the header and
every field of it has an entry, and the table names nothing the header lacks.

Usage: check_abi_table.py HEADER ABI_LIST_PROGRAM
The program prints the table as lines "struct field offset size" (field "-" for the whole struct).
Prints "FAIL ..." lines and exits 1 on a difference; "OK ..." and 0 otherwise."""
import re
import subprocess
import sys


def header_structs(text):
    """{struct name: [field names]} of every `typedef struct NAME { ... } NAME;` in C text."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    structs = {}
    for m in re.finditer(r"typedef\s+struct\s+(\w+)\s*\{(.*?)\}\s*(\w+)\s*;", text, flags=re.S):
        name, body, alias = m.group(1), m.group(2), m.group(3)
        if name != alias:
            raise SystemExit(f"FAIL struct {name} is typedef'd as {alias}: expected the same name")
        fields = []
        for decl in body.split(";"):
            decl = decl.strip()
            if not decl:
                continue
            if "{" in decl or "(" in decl:
                raise SystemExit(f"FAIL {name}: nested or function-pointer member '{decl}' is not understood")
            decl = re.sub(r"\[[^\]]*\]", "", decl)
            # "const float *a, *b" -> declarators after the type: the last word of each piece.
            for piece in decl.split(","):
                words = re.findall(r"\w+", piece)
                if not words:
                    raise SystemExit(f"FAIL {name}: cannot read member '{decl}'")
                fields.append(words[-1])
        structs[name] = fields
    return structs


def table_structs(lines):
    structs = {}
    for line in lines:
        parts = line.split()
        if len(parts) != 4:
            raise SystemExit(f"FAIL table line '{line}': expected 'struct field offset size'")
        s, f = parts[0], parts[1]
        structs.setdefault(s, [])
        if f != "-":
            structs[s].append(f)
    return structs


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: check_abi_table.py HEADER ABI_LIST_PROGRAM")
    with open(sys.argv[1], encoding="utf-8") as fh:
        header = header_structs(fh.read())
    out = subprocess.run([sys.argv[2], "--list"], check=True, capture_output=True, text=True).stdout
    table = table_structs([l for l in out.splitlines() if l.strip()])
    failures = []
    for s, fields in header.items():
        if s not in table:
            failures.append(f"FAIL {s} is declared in {sys.argv[1]} but not in the ABI table")
            continue
        for f in fields:
            if f not in table[s]:
                failures.append(f"FAIL {s}.{f} is declared in the header but not in the ABI table")
        for f in table[s]:
            if f not in fields:
                failures.append(f"FAIL {s}.{f} is in the ABI table but not a field in the header")
    for s in table:
        if s not in header:
            failures.append(f"FAIL {s} is in the ABI table but not a typedef struct in {sys.argv[1]}")
    for line in failures:
        print(line)
    if failures:
        return 1
    print(f"OK {len(header)} structs, {sum(len(f) for f in header.values())} fields in the ABI table")
    return 0


if __name__ == "__main__":
    sys.exit(main())
