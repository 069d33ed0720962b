package dev.vane.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ABI self-check: every struct of vane.h, as libvane was compiled, against the FFM layouts. */
class AbiLayoutTest {
    private static final List<NativeAbiTable.Entry> TABLE = NativeAbiTable.read();

    private static Map<String, StructLayout> javaLayouts() {
        return AbiComparison.javaLayouts(NativeLayouts.class, BlockLayouts.class);
    }

    @Test
    void everyJavaLayoutMatchesLibvane() {
        List<String> problems = AbiComparison.compare(TABLE, javaLayouts());
        assertEquals(List.of(), problems, "libvane at " + NativeAbiTable.librarySource());
    }

    @Test
    void bothSidesNameTheSameStructs() {
        Map<String, StructLayout> java = javaLayouts();
        long nativeStructs = TABLE.stream().filter(e -> e.field().isEmpty()).count();
        // vane.h had 38 structs when this was written; a table that came back short fails here.
        assertTrue(nativeStructs >= 38, "structs in libvane's table: " + nativeStructs);
        assertEquals(nativeStructs, java.size(), "Java layouts vs libvane's structs");
        assertTrue(java.containsKey("vane_block_q4_kx8") && java.containsKey("vane_rope_params"), java.keySet().toString());
    }

    /** A copy of vane_key_rope with neox pushed 4 bytes on: the check names that field and both offsets. */
    @Test
    void shiftedLayoutIsReportedWithBothOffsets() {
        StructLayout shifted = MemoryLayout.structLayout(
                ADDRESS.withName("table"),
                JAVA_LONG.withName("positions"),
                JAVA_LONG.withName("rot_dim"),
                MemoryLayout.paddingLayout(4),
                JAVA_INT.withName("neox"));
        assertEquals(NativeLayouts.KEY_ROPE.byteSize(), shifted.byteSize(), "same size, only the field moved");
        Map<String, StructLayout> java = javaLayouts();
        java.put("vane_key_rope", shifted);
        assertEquals(List.of("vane_key_rope.neox: offset native 24, Java 28"), AbiComparison.compare(TABLE, java));
    }

    @Test
    void wrongFieldSizeAndStructSizeAreReported() {
        StructLayout widened = MemoryLayout.structLayout(
                ADDRESS.withName("table"),
                JAVA_LONG.withName("positions"),
                JAVA_LONG.withName("rot_dim"),
                JAVA_LONG.withName("neox"));
        Map<String, StructLayout> java = javaLayouts();
        java.put("vane_key_rope", widened);
        assertEquals(List.of("vane_key_rope.neox: size native 4, Java 8"), AbiComparison.compare(TABLE, java));

        java.put("vane_key_rope", MemoryLayout.structLayout(ADDRESS.withName("table"), JAVA_LONG.withName("positions"),
                JAVA_LONG.withName("rot_dim"), JAVA_INT.withName("neox"), MemoryLayout.paddingLayout(12)));
        assertEquals(List.of("vane_key_rope: size native 32, Java 40"), AbiComparison.compare(TABLE, java));
    }

    @Test
    void missingAndExtraStructsAndFieldsAreReportedBothWays() {
        Map<String, StructLayout> java = new LinkedHashMap<>(javaLayouts());
        java.remove("vane_matrix");
        java.put("vane_not_in_c", MemoryLayout.structLayout(JAVA_INT.withName("x")));
        java.put("vane_key_rope", MemoryLayout.structLayout(ADDRESS.withName("table"), JAVA_LONG.withName("positions"),
                JAVA_LONG.withName("rot_dims"), JAVA_INT.withName("neox"), MemoryLayout.paddingLayout(4)));
        assertEquals(List.of(
                "vane_matrix: in libvane, no Java layout MATRIX in NativeLayouts or BlockLayouts",
                "vane_key_rope.rot_dim: in libvane, not in the Java layout KEY_ROPE",
                "vane_key_rope.rot_dims: in the Java layout KEY_ROPE, not in libvane",
                "vane_not_in_c: Java layout NOT_IN_C has no struct of that name in libvane"),
                AbiComparison.compare(TABLE, java));
    }

    @Test
    void aDroppedNativeFieldIsReported() {
        List<NativeAbiTable.Entry> table = new ArrayList<>(TABLE);
        assertTrue(table.removeIf(e -> e.struct().equals("vane_ffn") && e.field().equals("limit")));
        assertEquals(List.of("vane_ffn.limit: in the Java layout FFN, not in libvane"), AbiComparison.compare(table, javaLayouts()));
    }
}
