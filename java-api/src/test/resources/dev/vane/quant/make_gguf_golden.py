#!/usr/bin/env python3
"""Writes gguf-golden.bin: inputs and the Q4_0 / Q8_0 bytes llama.cpp's own Python reference
(the `gguf` package, gguf.quants.quantize) produces for them. GgufGoldenTest checks Vane
reproduces them byte for byte.

usage: PYTHONPATH=<dir with gguf and numpy> python3 make_gguf_golden.py
file: int32 rows, int32 cols, rows*cols f32 inputs, then the Q4_0 bytes, then the Q8_0 bytes
(all little-endian). Generated with gguf 0.19.0 and numpy 2.4.
"""
import struct

import numpy as np
from gguf import GGMLQuantizationType as T
from gguf import quants

rows, cols = 32, 128
rng = np.random.default_rng(20261128)
# Rows of different magnitudes, plus rows built to hit the rounding edge cases.
x = (rng.standard_normal((rows, cols)) * np.exp2(rng.integers(-12, 12, size=(rows, 1)))).astype(np.float32)
x[1] = (rng.integers(-16, 16, size=cols) * 0.5).astype(np.float32)      # exact halves: ties
x[2] = (rng.integers(-127, 128, size=cols) * 0.25).astype(np.float32)   # Q8_0 levels
x[3] = 0.0                                                              # all zero
# Tiny values: the fp16 scale underflows to 0 (1/d stays finite; for f32-subnormal blocks it
# overflows and the reference's float->int cast is undefined, so they are left out).
x[4] = (rng.standard_normal(cols) * 1e-30).astype(np.float32)
x[5] = np.float32(-3.5)                                                 # constant block
x[6, ::32] = np.float32(60000.0)                                        # one large value per block
x[7] = np.arange(cols, dtype=np.float32) - 64                           # the extreme appears twice (+-64)
x = np.ascontiguousarray(x)
q4 = quants.quantize(x, T.Q4_0).reshape(-1)
q8 = quants.quantize(x, T.Q8_0).reshape(-1)
with open("gguf-golden.bin", "wb") as f:
    f.write(struct.pack("<ii", rows, cols))
    f.write(x.astype("<f4").tobytes())
    f.write(q4.tobytes())
    f.write(q8.tobytes())
print("wrote", rows, "x", cols, "inputs,", q4.size, "Q4_0 bytes,", q8.size, "Q8_0 bytes")
