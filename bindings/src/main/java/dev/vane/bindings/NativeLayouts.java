package dev.vane.bindings;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** The structs of vane.h as FFM layouts (field names as in C). */
public final class NativeLayouts {
    private NativeLayouts() {}

    /** struct vane_cpu_info { uint32_t features; int32_t active; char reason[160]; } */
    public static final StructLayout CPU_INFO = MemoryLayout.structLayout(
            JAVA_INT.withName("features"),
            JAVA_INT.withName("active"),
            MemoryLayout.sequenceLayout(160, JAVA_BYTE).withName("reason"));
    public static final VarHandle CPU_INFO_FEATURES = field(CPU_INFO, "features");
    public static final VarHandle CPU_INFO_ACTIVE = field(CPU_INFO, "active");
    public static final long CPU_INFO_REASON_OFFSET = CPU_INFO.byteOffset(MemoryLayout.PathElement.groupElement("reason"));

    /** struct vane_format_desc { int32_t format, block_elems, block_bytes, planar, scale_rows, scale_cols; char name[24]; } */
    public static final StructLayout FORMAT_DESC = MemoryLayout.structLayout(
            JAVA_INT.withName("format"),
            JAVA_INT.withName("block_elems"),
            JAVA_INT.withName("block_bytes"),
            JAVA_INT.withName("planar"),
            JAVA_INT.withName("scale_rows"),
            JAVA_INT.withName("scale_cols"),
            MemoryLayout.sequenceLayout(24, JAVA_BYTE).withName("name"));
    public static final VarHandle FORMAT_DESC_FORMAT = field(FORMAT_DESC, "format");
    public static final VarHandle FORMAT_DESC_BLOCK_ELEMS = field(FORMAT_DESC, "block_elems");
    public static final VarHandle FORMAT_DESC_BLOCK_BYTES = field(FORMAT_DESC, "block_bytes");
    public static final VarHandle FORMAT_DESC_PLANAR = field(FORMAT_DESC, "planar");
    public static final VarHandle FORMAT_DESC_SCALE_ROWS = field(FORMAT_DESC, "scale_rows");
    public static final VarHandle FORMAT_DESC_SCALE_COLS = field(FORMAT_DESC, "scale_cols");
    public static final long FORMAT_DESC_NAME_OFFSET = FORMAT_DESC.byteOffset(MemoryLayout.PathElement.groupElement("name"));

    /** A field's handle with the base offset bound to 0, so callers write {@code handle.get(segment)}. */
    private static VarHandle field(StructLayout layout, String name) {
        return MethodHandles.insertCoordinates(layout.varHandle(MemoryLayout.PathElement.groupElement(name)), 1, 0L);
    }
}
