package dev.vane.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vane.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Rope against a float64 rotation (tolerance: f32 rotation with f32 cos/sin, 2e-6 of |a| + |b|). */
class RopeTest {
    @Test
    void rotatesPairsToTheirPositions() {
        SplittableRandom r = new SplittableRandom(4);
        try (Arena arena = Arena.ofConfined()) {
            for (Rope.Layout layout : Rope.Layout.values()) {
                int heads = 2, d = 16, rot = 12;
                long[] positions = {0, 3, 70000};
                Tensor x = AttentionTest.random(arena, r, positions.length, heads, d);
                float[] before = x.toFloatArray();
                new Rope(d, rot, 500000f, 2f, layout).apply(x, positions);
                for (int t = 0; t < positions.length; t++) {
                    for (int h = 0; h < heads; h++) {
                        int base = (t * heads + h) * d;
                        for (int i = 0; i < rot / 2; i++) {
                            int ia = layout == Rope.Layout.NEOX ? i : 2 * i, ib = layout == Rope.Layout.NEOX ? i + rot / 2 : 2 * i + 1;
                            double angle = positions[t] / 2.0 * Math.pow(500000, -2.0 * i / rot);
                            double a = before[base + ia], b = before[base + ib];
                            double tol = 2e-6 * (Math.abs(a) + Math.abs(b));
                            assertEquals(a * Math.cos(angle) - b * Math.sin(angle), x.get(t, h, ia), tol, layout + " t=" + t + " pair " + i);
                            assertEquals(a * Math.sin(angle) + b * Math.cos(angle), x.get(t, h, ib), tol, layout + " t=" + t + " pair " + i);
                        }
                        for (int c = rot; c < d; c++) assertEquals(before[base + c], x.get(t, h, c), 0f, "dimension past rotDim");
                    }
                }
            }
        }
    }

    @Test
    void badInput() {
        try (Arena arena = Arena.ofConfined()) {
            AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> new Rope(64, 63, 10000f, 1f, Rope.Layout.NORMAL)),
                    "rotDim must be even");
            Rope rope = new Rope(64, 10000f, Rope.Layout.NORMAL);
            Tensor x = Tensor.allocate(arena, 3, 2, 64);
            AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> rope.apply(x, new long[] {0, 1})), "one position per token");
            AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> rope.apply(x, new long[] {0, -1, 2})), "positions must be >= 0");
            AttentionTest.assertMessage(assertThrows(IllegalArgumentException.class, () -> rope.apply(Tensor.allocate(arena, 3, 2, 32), 0)),
                    "x must be [tokens, heads, 64]");
        }
    }
}
