package dev.vane.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vane.bindings.NativeLayouts;
import dev.vane.bindings.VaneNative;
import dev.vane.bindings.VaneStatus;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Java description of every format agrees with libvane's (vane_format_info, vane_quant_size). */
class FormatInfoTest {

    @ParameterizedTest
    @EnumSource(QuantFormat.class)
    void javaAndNativeDescribeTheSameLayout(QuantFormat f) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment desc = arena.allocate(NativeLayouts.FORMAT_DESC);
            assertEquals(VaneStatus.OK, (int) VaneNative.FORMAT_INFO.invokeExact(f.id(), desc));
            assertEquals(f.id(), (int) NativeLayouts.FORMAT_DESC_FORMAT.get(desc));
            assertEquals(f.formatName(), desc.getString(NativeLayouts.FORMAT_DESC_NAME_OFFSET));
            assertEquals(f.blockElements(), (int) NativeLayouts.FORMAT_DESC_BLOCK_ELEMS.get(desc));
            assertEquals(f.blockBytes(), (int) NativeLayouts.FORMAT_DESC_BLOCK_BYTES.get(desc));
            assertEquals(f.planar() ? 1 : 0, (int) NativeLayouts.FORMAT_DESC_PLANAR.get(desc));
            assertEquals(f.scaleRows(), (int) NativeLayouts.FORMAT_DESC_SCALE_ROWS.get(desc));
            assertEquals(f.scaleCols(), (int) NativeLayouts.FORMAT_DESC_SCALE_COLS.get(desc));
            assertEquals(f.rowGroup(), (int) NativeLayouts.FORMAT_DESC_ROW_GROUP.get(desc));

            MemorySegment bytes = arena.allocate(ValueLayout.JAVA_LONG);
            int g = f.blockElements();
            // cols multiples of the block (K-quants and iq4_xs: 256): 384 becomes 512 for them.
            long cols384 = (384 + g - 1) / g * g;
            for (long[] shape : new long[][] {{0, 0}, {1, g}, {3, 5L * g}, {129, cols384}, {4096, 14336}, {257, 129L * g}}) {
                shape[0] = (shape[0] + f.rowGroup() - 1) / f.rowGroup() * f.rowGroup();
                assertEquals(VaneStatus.OK, (int) VaneNative.QUANT_SIZE.invokeExact(f.id(), shape[0], shape[1], bytes));
                assertEquals(bytes.get(ValueLayout.JAVA_LONG, 0), f.byteSize(shape[0], shape[1]),
                        f + " size of " + shape[0] + "x" + shape[1]);
            }
        }
    }
}
