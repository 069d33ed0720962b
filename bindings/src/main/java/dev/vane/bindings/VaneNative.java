package dev.vane.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Every downcall handle of vane.h, one field per function, called with {@code invokeExact}.
 *
 * <p>If libvane cannot be loaded, each handle is replaced by one of the same type that throws the
 * loader's {@link NativeLibraryException}, so the failure surfaces at the first call with the full
 * explanation (never as an {@code ExceptionInInitializerError}).
 */
@SuppressWarnings("restricted")  // binding native code is this class's job
public final class VaneNative {
    private VaneNative() {}

    private static final Linker LINKER = Linker.nativeLinker();
    /** Short calls that cannot block: no thread-state transition, and heap segments allowed. */
    private static final Linker.Option CRITICAL = Linker.Option.critical(true);

    // const char *vane_last_error(void)
    public static final MethodHandle LAST_ERROR = bind("vane_last_error", FunctionDescriptor.of(ADDRESS), CRITICAL);
    // const char *vane_version(void)
    public static final MethodHandle VERSION = bind("vane_version", FunctionDescriptor.of(ADDRESS), CRITICAL);
    // vane_status vane_cpu_features(vane_cpu_info *out)
    public static final MethodHandle CPU_FEATURES = bind("vane_cpu_features", FunctionDescriptor.of(JAVA_INT, ADDRESS), CRITICAL);
    // vane_status vane_cpu_select(int32_t isa)
    public static final MethodHandle CPU_SELECT = bind("vane_cpu_select", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    // vane_status vane_set_threads(int32_t n)
    public static final MethodHandle SET_THREADS = bind("vane_set_threads", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    // int32_t vane_get_threads(void)
    public static final MethodHandle GET_THREADS = bind("vane_get_threads", FunctionDescriptor.of(JAVA_INT), CRITICAL);
    // vane_status vane_format_info(int32_t format, vane_format_desc *out)
    public static final MethodHandle FORMAT_INFO = bind("vane_format_info", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), CRITICAL);
    // vane_status vane_quant_size(int32_t format, int64_t rows, int64_t cols, int64_t *out_bytes)
    public static final MethodHandle QUANT_SIZE = bind("vane_quant_size",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS), CRITICAL);
    // vane_status vane_quant_quantize(int32_t format, const float *src, int64_t rows, int64_t cols, void *dst, int64_t dst_bytes)
    public static final MethodHandle QUANT_QUANTIZE = bind("vane_quant_quantize",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG));
    // vane_status vane_quant_dequantize(int32_t format, const void *src, int64_t src_bytes, int64_t rows, int64_t cols, float *dst)
    public static final MethodHandle QUANT_DEQUANTIZE = bind("vane_quant_dequantize",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
    // vane_status vane_quant_check(int32_t format, const void *src, int64_t src_bytes, int64_t rows, int64_t cols)
    public static final MethodHandle QUANT_CHECK = bind("vane_quant_check",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    // vane_status vane_quant_repack(int32_t from, const void *src, int64_t src_bytes, int64_t rows, int64_t cols,
    //                               int32_t to, void *dst, int64_t dst_bytes)
    public static final MethodHandle QUANT_REPACK = bind("vane_quant_repack", FunctionDescriptor.of(JAVA_INT,
            JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    // vane_status vane_gemm(int32_t format, const void *w, int64_t w_bytes, int64_t n, int64_t k,
    //                       const float *x, int64_t ldx, int64_t m, const float *bias, float *y, int64_t ldy)
    public static final MethodHandle GEMM = bind("vane_gemm", FunctionDescriptor.of(JAVA_INT,
            JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
    // vane_status vane_ffn_forward(const vane_ffn *ffn, int64_t dim, int64_t ffn_dim, const float *x, int64_t t, float *y)
    public static final MethodHandle FFN_FORWARD = bind("vane_ffn_forward",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS));
    // vane_status vane_moe_route(const vane_gating *g, const float *logits, int64_t t, int64_t n_experts, int64_t ld,
    //                            int32_t *ids, float *weights, int64_t *tokens_per_expert)
    public static final MethodHandle MOE_ROUTE = bind("vane_moe_route", FunctionDescriptor.of(JAVA_INT,
            ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS));
    // vane_status vane_moe_forward(const vane_moe_layer *layer, const float *x, int64_t t, float *y, vane_moe_stats *stats)
    public static final MethodHandle MOE_FORWARD = bind("vane_moe_forward",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
    // vane_status vane_attention(const vane_attention_params *p, const float *q, int64_t n_q, const float *k,
    //                            const float *v, int64_t n_kv, float *out)
    public static final MethodHandle ATTENTION = bind("vane_attention",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    // vane_status vane_kv_cache_bytes(const vane_kv_cache *c, int64_t *kv_bytes, int64_t *scale_bytes)
    public static final MethodHandle KV_CACHE_BYTES = bind("vane_kv_cache_bytes", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    // vane_status vane_kv_write(const vane_kv_cache *c, const int32_t *table, int64_t n_table, int64_t pos0, const float *k,
    //                           const float *v, int64_t n)
    public static final MethodHandle KV_WRITE = bind("vane_kv_write",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
    // vane_status vane_kv_copy_blocks(const vane_kv_cache *c, const int32_t *from, const int32_t *to, int64_t n)
    public static final MethodHandle KV_COPY_BLOCKS = bind("vane_kv_copy_blocks",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    // vane_status vane_attention_cached(const vane_attention_params *p, const float *q, int64_t n_q, const vane_kv_cache *c,
    //     const int32_t *table, int64_t n_table, int64_t n_cached, const vane_key_rope *key_rope, float *out)
    public static final MethodHandle ATTENTION_CACHED = bind("vane_attention_cached", FunctionDescriptor.of(JAVA_INT,
            ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS));
    // vane_status vane_rope_table(const vane_rope_params *p, int64_t n_positions, float *out)
    public static final MethodHandle ROPE_TABLE = bind("vane_rope_table", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    // vane_status vane_rope(const vane_rope_params *p, float *x, int64_t n, int64_t ld, const int64_t *positions)
    public static final MethodHandle ROPE = bind("vane_rope",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
    // vane_status vane_rms_norm(const float *x, int64_t rows, int64_t dim, int64_t ldx, const float *weight, float eps, float *y, int64_t ldy)
    public static final MethodHandle RMS_NORM = bind("vane_rms_norm", FunctionDescriptor.of(JAVA_INT,
            ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_FLOAT, ADDRESS, JAVA_LONG));
    // vane_status vane_add(float *y, const float *x, int64_t n)
    public static final MethodHandle ADD = bind("vane_add", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    // vane_status vane_fp8_encode(int32_t kind, const float *src, uint8_t *dst, int64_t n)
    public static final MethodHandle FP8_ENCODE = bind("vane_fp8_encode",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    // vane_status vane_fp8_decode(int32_t kind, const uint8_t *src, float *dst, int64_t n)
    public static final MethodHandle FP8_DECODE = bind("vane_fp8_decode",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    /**
     * The same two as critical calls, which may take heap segments. A critical call holds off
     * the JVM's safepoints (and so every GC) while it runs: callers keep n at or below
     * {@link #FP8_CRITICAL_MAX}.
     */
    public static final MethodHandle FP8_ENCODE_CRITICAL = bind("vane_fp8_encode",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), CRITICAL);
    public static final MethodHandle FP8_DECODE_CRITICAL = bind("vane_fp8_decode",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), CRITICAL);
    /** Elements per critical FP8 call: tens of microseconds of work. */
    public static final long FP8_CRITICAL_MAX = 1 << 16;

    // Machine probes: long calls (a fraction of a second per repeat), never critical.
    // vane_status vane_probe_read_bandwidth(int64_t bytes, int32_t repeats, double *out_gbps)
    public static final MethodHandle PROBE_READ_BANDWIDTH = bind("vane_probe_read_bandwidth",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS));
    // vane_status vane_probe_fma_peak(int32_t repeats, double *out_gflops)
    public static final MethodHandle PROBE_FMA_PEAK = bind("vane_probe_fma_peak",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    // vane_status vane_probe_int8_dot_peak(int32_t repeats, double *out_gops)
    public static final MethodHandle PROBE_INT8_DOT_PEAK = bind("vane_probe_int8_dot_peak",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

    /** The thread-local message of the last failed call, as a Java string. */
    public static String lastError() {
        try {
            return CString.read((MemorySegment) LAST_ERROR.invokeExact(), 512);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** libvane's version string. */
    public static String version() {
        try {
            return CString.read((MemorySegment) VERSION.invokeExact(), 64);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... options) {
        NativeLibrary.Loaded lib;
        try {
            lib = NativeLibrary.load();
        } catch (NativeLibraryException e) {
            return thrower(fd, e.getMessage());
        }
        MemorySegment address = lib.symbols().find(name).orElse(null);
        if (address == null) {
            return thrower(fd, "libvane at " + lib.path() + " has no symbol " + name
                    + "; vane-bindings " + NativeLibrary.EXPECTED_VERSION + " needs a matching vane-native");
        }
        return LINKER.downcallHandle(address, fd, options);
    }

    /** A handle of the downcall's type that throws a fresh NativeLibraryException with this message. */
    private static MethodHandle thrower(FunctionDescriptor fd, String message) {
        MethodType type = fd.toMethodType();
        try {
            MethodHandle create = MethodHandles.lookup().findConstructor(NativeLibraryException.class,
                    MethodType.methodType(void.class, String.class)).bindTo(message);
            MethodHandle raise = MethodHandles.throwException(type.returnType(), NativeLibraryException.class);
            MethodHandle thrower = MethodHandles.foldArguments(raise, create);
            return MethodHandles.dropArguments(thrower, 0, type.parameterList());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
