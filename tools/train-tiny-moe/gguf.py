"""A minimal GGUF v3 writer: metadata, tensor infos, then tensor data each at a multiple of 32 bytes.

Enough for one llama-architecture model: string / uint32 / float32 / bool values, arrays of strings,
int32 and float32, and F32 / F16 tensors given as numpy arrays. A numpy array of shape (a, b, c) is
written row-major, which is GGUF's ne = {c, b, a} (ne[0] varies fastest).
"""
import struct

import numpy as np

ALIGNMENT = 32
GGML_F32, GGML_F16 = 0, 1
T_UINT32, T_INT32, T_FLOAT32, T_BOOL, T_STRING, T_ARRAY = 4, 5, 6, 7, 8, 9


def _string(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


class GgufWriter:
    def __init__(self):
        self.kv = []        # (key, type, encoded value)
        self.tensors = []   # (name, numpy array in its final dtype)

    def _put(self, key, vtype, payload):
        if any(k == key for k, _, _ in self.kv):
            raise ValueError(f"metadata key {key} is already set")
        self.kv.append((key, vtype, payload))

    def uint32(self, key, v):
        self._put(key, T_UINT32, struct.pack("<I", v))

    def float32(self, key, v):
        self._put(key, T_FLOAT32, struct.pack("<f", v))

    def bool(self, key, v):
        self._put(key, T_BOOL, struct.pack("<B", 1 if v else 0))

    def string(self, key, v):
        self._put(key, T_STRING, _string(v))

    def array(self, key, elem_type, values):
        head = struct.pack("<IQ", elem_type, len(values))
        if elem_type == T_STRING:
            body = b"".join(_string(v) for v in values)
        elif elem_type == T_INT32:
            body = np.asarray(values, dtype="<i4").tobytes()
        elif elem_type == T_FLOAT32:
            body = np.asarray(values, dtype="<f4").tobytes()
        else:
            raise ValueError(f"array of type {elem_type} not supported")
        self._put(key, T_ARRAY, head + body)

    def tensor(self, name, array, dtype):
        """dtype: "f32" or "f16"."""
        a = np.ascontiguousarray(array, dtype="<f4" if dtype == "f32" else "<f2")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"tensor {name} has non-finite values")
        self.tensors.append((name, a))

    def write(self, path):
        head = bytearray(b"GGUF")
        head += struct.pack("<IQQ", 3, len(self.tensors), len(self.kv))
        for key, vtype, payload in self.kv:
            head += _string(key) + struct.pack("<I", vtype) + payload
        offset = 0
        offsets = []
        for name, a in self.tensors:
            offsets.append(offset)
            ne = list(reversed(a.shape))
            head += _string(name) + struct.pack("<I", len(ne)) + b"".join(struct.pack("<Q", d) for d in ne)
            head += struct.pack("<IQ", GGML_F32 if a.dtype == np.float32 else GGML_F16, offset)
            offset = _align(offset + a.nbytes)
        head += bytes(_align(len(head)) - len(head))
        with open(path, "wb") as f:
            f.write(head)
            start = len(head)
            for (name, a), off in zip(self.tensors, offsets):
                f.write(bytes(start + off - f.tell()))
                f.write(a.tobytes())


def _align(n):
    return (n + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT
