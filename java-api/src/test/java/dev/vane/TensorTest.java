package dev.vane;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class TensorTest {
    @Test
    void elementTypesReadAndWrite() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor f16 = Tensor.allocate(arena, DType.F16, 2, 3);
            assertEquals(12, f16.segment().byteSize());
            f16.set(1.5f, 0, 1);
            f16.set(65520f, 1, 2);  // rounds up past the largest half: +Inf
            assertEquals(1.5f, f16.get(0, 1));
            assertEquals(Float.POSITIVE_INFINITY, f16.get(1, 2));
            assertEquals((short) 0x3e00, f16.segment().getAtIndex(ValueLayout.JAVA_SHORT, 1));

            Tensor bf16 = Tensor.allocate(arena, DType.BF16, 4);
            bf16.set(1.0f + 0x1p-8f, 0);  // a tie: rounds to even (1.0)
            bf16.set(1.0f + 0x1p-8f + 0x1p-20f, 1);  // above the tie: up
            bf16.set(Float.NaN, 2);
            bf16.set(-3.0e38f, 3);
            assertArrayEquals(new float[] {1.0f, 1.0f + 0x1p-7f, Float.NaN, bf16.get(3)}, bf16.toFloatArray());
            assertTrue(Float.isNaN(bf16.get(2)));
            assertEquals(-3.0e38f, bf16.get(3), 3.0e38f * 0x1p-8f);

            Tensor ids = Tensor.allocate(arena, DType.I32, 3);
            ids.setInt(-7, 2);
            assertEquals(-7, ids.getInt(2));
            assertEquals(DType.I32, ids.dtype());
            assertTrue(ids.toString().endsWith("I32"));
        }
    }

    @Test
    void wrongAccessorsAndMisalignedWrapsThrow() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor ids = Tensor.allocate(arena, DType.I32, 3);
            assertMessage(assertThrows(IllegalStateException.class, () -> ids.get(0)), "use getInt");
            assertMessage(assertThrows(IllegalStateException.class, () -> ids.set(1f, 0)), "use setInt");
            assertMessage(assertThrows(IllegalStateException.class, ids::toFloatArray), "holds integers");
            Tensor f = Tensor.allocate(arena, 3);
            assertMessage(assertThrows(IllegalStateException.class, () -> f.getInt(0)), "needs an I32 tensor");
            MemorySegment raw = arena.allocate(64, 8);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(raw.asSlice(1), DType.F16, 4)),
                    "not 2-byte aligned");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(raw.asSlice(2), DType.I32, 4)),
                    "not 4-byte aligned");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(raw, DType.F32, 17)), "segment");
            assertEquals(DType.BF16, Tensor.wrap(raw.asSlice(2), DType.BF16, 31).dtype());
            assertMessage(assertThrows(NullPointerException.class, () -> Tensor.allocate(arena, (DType) null, 2)), "dtype");
        }
    }

    private static void assertMessage(Throwable e, String part) {
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
    }
}
