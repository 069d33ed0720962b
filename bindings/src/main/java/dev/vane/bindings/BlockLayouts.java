package dev.vane.bindings;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The packed weight blocks of vane.h (vane_block_*) as FFM layouts, field names as in C; fp16
 * fields are {@code JAVA_SHORT} bits. Java code reads these formats as bytes; the layouts are the
 * Java side of the ABI self-check (AbiLayoutTest), so a block that changes in C is noticed here.
 */
public final class BlockLayouts {
    private BlockLayouts() {}

    /** struct vane_block_q4_0 { uint16_t d; uint8_t qs[16]; } */
    public static final StructLayout BLOCK_Q4_0 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("d"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("qs"));

    /** struct vane_block_q8_0 { uint16_t d; int8_t qs[32]; } */
    public static final StructLayout BLOCK_Q8_0 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("d"),
            MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("qs"));

    /** struct vane_block_q4_0x8 { uint16_t d[8]; uint8_t qs[128]; } */
    public static final StructLayout BLOCK_Q4_0X8 = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(8, JAVA_SHORT).withName("d"),
            MemoryLayout.sequenceLayout(128, JAVA_BYTE).withName("qs"));

    /** struct vane_block_q4_kx8 { uint16_t d[8]; uint16_t dmin[8]; uint8_t scales[8][16]; uint8_t qs[1024]; } */
    public static final StructLayout BLOCK_Q4_KX8 = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(8, JAVA_SHORT).withName("d"),
            MemoryLayout.sequenceLayout(8, JAVA_SHORT).withName("dmin"),
            MemoryLayout.sequenceLayout(8, MemoryLayout.sequenceLayout(16, JAVA_BYTE)).withName("scales"),
            MemoryLayout.sequenceLayout(1024, JAVA_BYTE).withName("qs"));

    /** struct vane_block_q6_kx8 { uint16_t d[8]; int8_t scales[16][8]; uint8_t qs[1536]; } */
    public static final StructLayout BLOCK_Q6_KX8 = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(8, JAVA_SHORT).withName("d"),
            MemoryLayout.sequenceLayout(16, MemoryLayout.sequenceLayout(8, JAVA_BYTE)).withName("scales"),
            MemoryLayout.sequenceLayout(1536, JAVA_BYTE).withName("qs"));

    /** struct vane_block_iq4_xsx8 { uint16_t d[8]; int8_t scales[8][8]; uint8_t qs[1024]; } */
    public static final StructLayout BLOCK_IQ4_XSX8 = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(8, JAVA_SHORT).withName("d"),
            MemoryLayout.sequenceLayout(8, MemoryLayout.sequenceLayout(8, JAVA_BYTE)).withName("scales"),
            MemoryLayout.sequenceLayout(1024, JAVA_BYTE).withName("qs"));

    /** struct vane_block_iq4_nlx8 { uint16_t d[8]; uint8_t qs[128]; } */
    public static final StructLayout BLOCK_IQ4_NLX8 = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(8, JAVA_SHORT).withName("d"),
            MemoryLayout.sequenceLayout(128, JAVA_BYTE).withName("qs"));

    /** struct vane_block_int4_sym_g32 { uint16_t d; uint8_t qs[16]; } */
    public static final StructLayout BLOCK_INT4_SYM_G32 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("d"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("qs"));

    /** struct vane_block_int4_sym_g64 { uint16_t d; uint8_t qs[32]; } */
    public static final StructLayout BLOCK_INT4_SYM_G64 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("d"),
            MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("qs"));

    /** struct vane_block_int4_sym_g128 { uint16_t d; uint8_t qs[64]; } */
    public static final StructLayout BLOCK_INT4_SYM_G128 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("d"),
            MemoryLayout.sequenceLayout(64, JAVA_BYTE).withName("qs"));

    /** struct vane_block_int4_asym_g32 { uint16_t d; uint16_t m; uint8_t qs[16]; } */
    public static final StructLayout BLOCK_INT4_ASYM_G32 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("d"),
            JAVA_SHORT.withName("m"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("qs"));

    /** struct vane_block_int4_asym_g64 { uint16_t d; uint16_t m; uint8_t qs[32]; } */
    public static final StructLayout BLOCK_INT4_ASYM_G64 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("d"),
            JAVA_SHORT.withName("m"),
            MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("qs"));

    /** struct vane_block_int4_asym_g128 { uint16_t d; uint16_t m; uint8_t qs[64]; } */
    public static final StructLayout BLOCK_INT4_ASYM_G128 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("d"),
            JAVA_SHORT.withName("m"),
            MemoryLayout.sequenceLayout(64, JAVA_BYTE).withName("qs"));

    /** struct vane_block_q4_1 { uint16_t d; uint16_t m; uint8_t qs[16]; } */
    public static final StructLayout BLOCK_Q4_1 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("d"),
            JAVA_SHORT.withName("m"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("qs"));

    /** struct vane_block_q5_0 { uint16_t d; uint8_t qh[4]; uint8_t qs[16]; } */
    public static final StructLayout BLOCK_Q5_0 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("d"),
            MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("qh"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("qs"));

    /** struct vane_block_q5_1 { uint16_t d; uint16_t m; uint8_t qh[4]; uint8_t qs[16]; } */
    public static final StructLayout BLOCK_Q5_1 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("d"),
            JAVA_SHORT.withName("m"),
            MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("qh"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("qs"));

    /** struct vane_block_q2_k { uint8_t scales[16]; uint8_t qs[64]; uint16_t d; uint16_t dmin; } */
    public static final StructLayout BLOCK_Q2_K = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("scales"),
            MemoryLayout.sequenceLayout(64, JAVA_BYTE).withName("qs"),
            JAVA_SHORT.withName("d"),
            JAVA_SHORT.withName("dmin"));

    /** struct vane_block_q3_k { uint8_t hmask[32]; uint8_t qs[64]; uint8_t scales[12]; uint16_t d; } */
    public static final StructLayout BLOCK_Q3_K = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("hmask"),
            MemoryLayout.sequenceLayout(64, JAVA_BYTE).withName("qs"),
            MemoryLayout.sequenceLayout(12, JAVA_BYTE).withName("scales"),
            JAVA_SHORT.withName("d"));

    /** struct vane_block_q4_k { uint16_t d; uint16_t dmin; uint8_t scales[12]; uint8_t qs[128]; } */
    public static final StructLayout BLOCK_Q4_K = MemoryLayout.structLayout(
            JAVA_SHORT.withName("d"),
            JAVA_SHORT.withName("dmin"),
            MemoryLayout.sequenceLayout(12, JAVA_BYTE).withName("scales"),
            MemoryLayout.sequenceLayout(128, JAVA_BYTE).withName("qs"));

    /** struct vane_block_q5_k { uint16_t d; uint16_t dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; } */
    public static final StructLayout BLOCK_Q5_K = MemoryLayout.structLayout(
            JAVA_SHORT.withName("d"),
            JAVA_SHORT.withName("dmin"),
            MemoryLayout.sequenceLayout(12, JAVA_BYTE).withName("scales"),
            MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("qh"),
            MemoryLayout.sequenceLayout(128, JAVA_BYTE).withName("qs"));

    /** struct vane_block_q6_k { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; uint16_t d; } */
    public static final StructLayout BLOCK_Q6_K = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(128, JAVA_BYTE).withName("ql"),
            MemoryLayout.sequenceLayout(64, JAVA_BYTE).withName("qh"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("scales"),
            JAVA_SHORT.withName("d"));

    /** struct vane_block_iq4_nl { uint16_t d; uint8_t qs[16]; } */
    public static final StructLayout BLOCK_IQ4_NL = MemoryLayout.structLayout(
            JAVA_SHORT.withName("d"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("qs"));

    /** struct vane_block_iq4_xs { uint16_t d; uint16_t scales_h; uint8_t scales_l[4]; uint8_t qs[128]; } */
    public static final StructLayout BLOCK_IQ4_XS = MemoryLayout.structLayout(
            JAVA_SHORT.withName("d"),
            JAVA_SHORT.withName("scales_h"),
            MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("scales_l"),
            MemoryLayout.sequenceLayout(128, JAVA_BYTE).withName("qs"));

    /** struct vane_block_mxfp4 { uint8_t e; uint8_t qs[16]; } */
    public static final StructLayout BLOCK_MXFP4 = MemoryLayout.structLayout(
            JAVA_BYTE.withName("e"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("qs"));

    /** struct vane_block_int8_g32 { float d; int8_t qs[32]; } */
    public static final StructLayout BLOCK_INT8_G32 = MemoryLayout.structLayout(
            JAVA_FLOAT.withName("d"),
            MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("qs"));

    /** struct vane_block_int8_g64 { float d; int8_t qs[64]; } */
    public static final StructLayout BLOCK_INT8_G64 = MemoryLayout.structLayout(
            JAVA_FLOAT.withName("d"),
            MemoryLayout.sequenceLayout(64, JAVA_BYTE).withName("qs"));

    /** struct vane_block_int8_g128 { float d; int8_t qs[128]; } */
    public static final StructLayout BLOCK_INT8_G128 = MemoryLayout.structLayout(
            JAVA_FLOAT.withName("d"),
            MemoryLayout.sequenceLayout(128, JAVA_BYTE).withName("qs"));}
