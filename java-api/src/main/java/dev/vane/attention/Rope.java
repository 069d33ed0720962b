package dev.vane.attention;

import dev.vane.DType;
import dev.vane.Tensor;
import dev.vane.bindings.NativeLayouts;
import dev.vane.bindings.VaneNative;
import dev.vane.internal.Native;
import dev.vane.internal.Segments;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * Rotary position embedding, applied in place to q or k ({@code [tokens, heads, headDim]} F32), as
 * llama.cpp's {@code ggml_rope_ext} computes it: in each head the first rotDim dimensions rotate in
 * pairs; pairs are adjacent dimensions ({@link Layout#NORMAL}, llama.cpp's default for Llama GGUF
 * files) or the two halves ({@link Layout#NEOX}). Pair i at position p turns by
 * {@code theta_extrap = p · base^(-2i / rotDim) / freqFactors[i]}, interpolated to
 * {@code theta_interp = freqScale · theta_extrap}; the angle is theta_interp, or under YaRN
 * ({@link Scaling#extFactor()} != 0) a mix of the two over YaRN's correction dims, and cos and
 * sin are multiplied by {@code attnFactor · (1 + 0.1 ln(1 / freqScale))} under YaRN, else by
 * attnFactor (see vane.h's vane_rope_params for the f32 operations, which are ggml's).
 */
public final class Rope {
    /** How the rotated dimensions pair up. */
    public enum Layout {
        /** (2i, 2i + 1) */
        NORMAL,
        /** (i, i + rotDim / 2) */
        NEOX
    }

    /**
     * How a model stretches RoPE past the context it was trained at, in ggml_rope_ext's terms.
     *
     * @param freqScale   multiplies every angle: 1 / the linear or YaRN factor (1 = none)
     * @param freqFactors per-pair divisors of the angles, rotDim / 2 of them, or null for none:
     *                    Llama 3.1+'s {@code rope_freqs.weight} (see {@link #llama3FreqFactors}),
     *                    Phi-3's {@code rope_factors_long} / {@code rope_factors_short}
     * @param extFactor   YaRN's extrapolation mix in 0..1 (1 for YaRN models); 0 = no YaRN
     * @param attnFactor  multiplies cos and sin (under YaRN before its own 1 + 0.1 ln(1 / freqScale);
     *                    see {@link #yarnAttnFactor}); 1 = none
     * @param betaFast    YaRN's high-frequency bound in rotations over origContext (32)
     * @param betaSlow    YaRN's low-frequency bound (1)
     * @param origContext the context the model was trained at (YaRN only; 0 without)
     */
    public record Scaling(float freqScale, float[] freqFactors, float extFactor, float attnFactor, float betaFast, float betaSlow,
            int origContext) {
        /** No scaling. */
        public static final Scaling NONE = new Scaling(1f, null, 0f, 1f, 0f, 0f, 0);

        /** Validates every field; freqFactors is copied. */
        public Scaling {
            if (!(freqScale > 0) || !Float.isFinite(freqScale) || !Float.isFinite(1f / freqScale)) {
                throw new IllegalArgumentException("freqScale must be finite and > 0 with 1 / freqScale finite, got " + freqScale);
            }
            if (freqFactors != null) {
                freqFactors = freqFactors.clone();
                for (int i = 0; i < freqFactors.length; i++) {
                    if (!(freqFactors[i] > 0) || !Float.isFinite(freqFactors[i])) {
                        throw new IllegalArgumentException("freqFactors[" + i + "] must be finite and > 0, got " + freqFactors[i]);
                    }
                }
            }
            if (!(extFactor >= 0 && extFactor <= 1)) throw new IllegalArgumentException("extFactor must be in 0..1 (0: no YaRN), got " + extFactor);
            if (!(attnFactor > 0) || !Float.isFinite(attnFactor)) {
                throw new IllegalArgumentException("attnFactor must be finite and > 0, got " + attnFactor);
            }
            if (!Float.isFinite(betaFast) || !Float.isFinite(betaSlow)) {
                throw new IllegalArgumentException("betaFast and betaSlow must be finite, got " + betaFast + " and " + betaSlow);
            }
            if (origContext < 0) throw new IllegalArgumentException("origContext must be >= 0, got " + origContext);
            if (extFactor != 0) {
                if (!(betaFast > 0) || !(betaSlow > 0)) {
                    throw new IllegalArgumentException("YaRN (extFactor != 0) needs betaFast and betaSlow > 0, got " + betaFast + " and " + betaSlow);
                }
                if (origContext < 1) throw new IllegalArgumentException("YaRN (extFactor != 0) needs origContext >= 1, got " + origContext);
            }
        }

        /** Linear scaling (position interpolation): every angle divided by factor. */
        public static Scaling linear(float factor) {
            return new Scaling(1f / requireFactor(factor), null, 0f, 1f, 0f, 0f, 0);
        }

        /**
         * YaRN (extFactor 1): {@code factor} over a model trained at {@code origContext} positions,
         * with its correction bounds and attention factor (ggml's attn_factor: llama.cpp's
         * {@link #yarnAttnFactor} of the file's values).
         */
        public static Scaling yarn(float factor, int origContext, float betaFast, float betaSlow, float attnFactor) {
            return new Scaling(1f / requireFactor(factor), null, 1f, attnFactor, betaFast, betaSlow, origContext);
        }

        /** This scaling with per-pair freq factors (null for none); the array is copied. */
        public Scaling withFreqFactors(float[] f) {
            return new Scaling(freqScale, f, extFactor, attnFactor, betaFast, betaSlow, origContext);
        }

        /** A copy of the freq factors, or null. */
        @Override
        public float[] freqFactors() {
            return freqFactors == null ? null : freqFactors.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Scaling s && Float.compare(freqScale, s.freqScale) == 0 && Arrays.equals(freqFactors, s.freqFactors)
                    && Float.compare(extFactor, s.extFactor) == 0 && Float.compare(attnFactor, s.attnFactor) == 0
                    && Float.compare(betaFast, s.betaFast) == 0 && Float.compare(betaSlow, s.betaSlow) == 0 && origContext == s.origContext;
        }

        @Override
        public int hashCode() {
            return Objects.hash(freqScale, Arrays.hashCode(freqFactors), extFactor, attnFactor, betaFast, betaSlow, origContext);
        }

        @Override
        public String toString() {
            return "Scaling[freqScale=" + freqScale + ", freqFactors=" + (freqFactors == null ? "none" : freqFactors.length + " pairs")
                    + ", extFactor=" + extFactor + ", attnFactor=" + attnFactor + ", betaFast=" + betaFast + ", betaSlow=" + betaSlow
                    + ", origContext=" + origContext + "]";
        }

        private static float requireFactor(float factor) {
            if (!(factor > 0) || !Float.isFinite(factor)) throw new IllegalArgumentException("factor must be finite and > 0, got " + factor);
            return factor;
        }
    }

    private final int headDim;
    private final int rotDim;
    private final float base;
    private final Layout layout;
    private final Scaling scaling;

    /** Every dimension rotated, no scaling. */
    public Rope(int headDim, float base, Layout layout) {
        this(headDim, headDim, base, layout, Scaling.NONE);
    }

    /** Linear scaling: positions divided by linearScale. */
    public Rope(int headDim, int rotDim, float base, float linearScale, Layout layout) {
        this(headDim, rotDim, base, layout, linearScaling(linearScale));
    }

    /** The first rotDim dimensions of each head rotated, with scaling (freq factors, if any, one per pair). */
    public Rope(int headDim, int rotDim, float base, Layout layout, Scaling scaling) {
        if (headDim < 1 || headDim > 4096) throw new IllegalArgumentException("headDim must be in 1..4096, got " + headDim);
        if (rotDim < 0 || rotDim > headDim || rotDim % 2 != 0) {
            throw new IllegalArgumentException("rotDim must be even and in 0..headDim = " + headDim + ", got " + rotDim);
        }
        if (!(base > 1) || !Float.isFinite(base)) throw new IllegalArgumentException("base must be finite and > 1, got " + base);
        Objects.requireNonNull(scaling, "scaling must not be null (Scaling.NONE for none)");
        if (scaling.freqFactors != null && scaling.freqFactors.length != rotDim / 2) {
            throw new IllegalArgumentException("freqFactors must hold rotDim / 2 = " + rotDim / 2 + " factors, got " + scaling.freqFactors.length);
        }
        this.headDim = headDim;
        this.rotDim = rotDim;
        this.base = base;
        this.layout = Objects.requireNonNull(layout, "layout must not be null");
        this.scaling = scaling;
    }

    private static Scaling linearScaling(float linearScale) {
        if (!(linearScale > 0) || !Float.isFinite(linearScale)) {
            throw new IllegalArgumentException("linearScale must be finite and > 0, got " + linearScale);
        }
        return Scaling.linear(linearScale);
    }

    /**
     * The per-pair factors llama.cpp's converter (convert_hf_to_gguf.py, rope_type llama3) writes
     * as {@code rope_freqs.weight} for a Hugging Face checkpoint whose rope_scaling is
     * {@code {rope_type: llama3, factor, low_freq_factor, high_freq_factor,
     * original_max_position_embeddings}} (Llama 3.1: 8, 1, 4, 8192; Llama 3.2: 32, 1, 4, 8192):
     * with the wavelength {@code 2π / base^(-2i / rotDim)} of pair i, 1 below
     * {@code origContext / highFreqFactor}, factor above {@code origContext / lowFreqFactor}, and
     * {@code 1 / ((1 - s) / factor + s)}, {@code s = (origContext / wavelength - low) / (high - low)},
     * between. The float32 operations are the converter's (torch float32 tensors: the reciprocals
     * as {@code 1 / x}, 2π and the bounds rounded to float), so the factors equal the file's bit for
     * bit (Llama 3.1's and 3.2's are checked so) except where torch's vectorized pow and Java's
     * differ in the last bit: then by two or three ulps, in the smooth band only. Note that the
     * converter reads original_max_position_embeddings at the top level of config.json (8192 if
     * absent), and uses the head dim for rotDim.
     */
    public static float[] llama3FreqFactors(int rotDim, float base, float factor, float lowFreqFactor, float highFreqFactor, int origContext) {
        if (rotDim < 2 || rotDim > 4096 || rotDim % 2 != 0) throw new IllegalArgumentException("rotDim must be even and in 2..4096, got " + rotDim);
        if (!(base > 1) || !Float.isFinite(base)) throw new IllegalArgumentException("base must be finite and > 1, got " + base);
        if (!(factor > 0) || !Float.isFinite(factor)) throw new IllegalArgumentException("factor must be finite and > 0, got " + factor);
        if (!(lowFreqFactor > 0) || !Float.isFinite(lowFreqFactor) || !(highFreqFactor >= lowFreqFactor) || !Float.isFinite(highFreqFactor)) {
            throw new IllegalArgumentException("need finite 0 < lowFreqFactor <= highFreqFactor, got " + lowFreqFactor + " and " + highFreqFactor);
        }
        if (origContext < 1) throw new IllegalArgumentException("origContext must be >= 1, got " + origContext);
        float lowWavelen = (float) ((double) origContext / lowFreqFactor);    // Python floats, compared as float32
        float highWavelen = (float) ((double) origContext / highFreqFactor);
        float twoPi = (float) (2 * Math.PI);
        float band = (float) ((double) highFreqFactor - (double) lowFreqFactor);
        float[] f = new float[rotDim / 2];
        for (int i = 0; i < f.length; i++) {
            float freq = 1f / (float) Math.pow(base, (float) (2 * i) / (float) rotDim);  // 1 / base^(arange / dim)
            float wavelen = (1f / freq) * twoPi;                                        // 2π / freq as torch forms it
            if (wavelen < highWavelen) {
                f[i] = 1f;
            } else if (wavelen > lowWavelen) {
                f[i] = factor;
            } else {
                float smooth = ((1f / wavelen) * (float) origContext - lowFreqFactor) / band;
                f[i] = 1f / ((1f - smooth) / factor + smooth);
            }
        }
        return f;
    }

    /**
     * The attn_factor llama.cpp passes to ggml_rope_ext for a YaRN model (llama-context.cpp's
     * cparams.yarn_attn_factor): with {@code m(s, k) = s <= 1 ? 1 : 1 + 0.1 k ln s}, the magnitude
     * correction {@code m(factor, 1)}, or {@code m(factor, 1) / m(factor, logMul)} when the file
     * gives rope.scaling.yarn_log_multiplier ({@code logMul} != 0; DeepSeek-V2's special case
     * aside); divided by {@code 1 + 0.1 ln factor}, since ggml multiplies that back in under YaRN;
     * times the file's rope.scaling.attn_factor ({@code fileAttnFactor}, 1 if absent). The factor is
     * used as llama.cpp holds it, {@code 1 / (1 / factor)}, in float32; ln is float32's to one ulp.
     * Without YaRN llama.cpp's attn_factor is the file's rope.scaling.attn_factor itself.
     */
    public static float yarnAttnFactor(float factor, float fileAttnFactor, float logMul) {
        if (!(factor > 0) || !Float.isFinite(factor)) throw new IllegalArgumentException("factor must be finite and > 0, got " + factor);
        if (!(fileAttnFactor > 0) || !Float.isFinite(fileAttnFactor)) {
            throw new IllegalArgumentException("fileAttnFactor must be finite and > 0, got " + fileAttnFactor);
        }
        if (!Float.isFinite(logMul)) throw new IllegalArgumentException("logMul must be finite, got " + logMul);
        float f = 1f / (1f / factor);  // llama.cpp: factor = 1 / rope_freq_scale, rope_freq_scale = 1 / file factor
        float attn = logMul != 0 ? mscale(f, 1f) / mscale(f, logMul) : mscale(f, 1f);
        attn *= 1f / (1f + 0.1f * lnf(f));
        return attn * fileAttnFactor;
    }

    private static float mscale(float scale, float k) {
        return scale <= 1f ? 1f : 0.1f * k * lnf(scale) + 1f;
    }

    private static float lnf(float x) {
        return (float) Math.log(x);
    }

    /** Rotates token t of x to positions[t]. */
    public void apply(Tensor x, long[] positions) {
        Objects.requireNonNull(x, "x must not be null");
        Objects.requireNonNull(positions, "positions must not be null");
        x.requireDType(DType.F32, "x");
        if (x.rank() != 3 || x.dim(2) != headDim) throw new IllegalArgumentException("x must be [tokens, heads, " + headDim + "], got " + x);
        if (positions.length != x.dim(0)) {
            throw new IllegalArgumentException("one position per token: x has " + x.dim(0) + " tokens, positions " + positions.length);
        }
        for (int t = 0; t < positions.length; t++) {
            if (positions[t] < 0) throw new IllegalArgumentException("positions must be >= 0, token " + t + " has " + positions[t]);
        }
        Segments.requireWritable(x.segment(), "x", x.segment().byteSize(), "its elements");
        Segments.requireNative(x.segment(), "x");
        try (Arena call = Arena.ofConfined()) {
            MemorySegment p = params(call, x.dim(1));
            MemorySegment pos = call.allocateFrom(ValueLayout.JAVA_LONG, positions);
            Native.check((int) VaneNative.ROPE.invokeExact(p, x.segment(), x.dim(0), x.dim(1) * headDim, pos));
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** Rotates consecutive tokens of x to positions first, first + 1, ... */
    public void apply(Tensor x, long first) {
        Objects.requireNonNull(x, "x must not be null");
        if (first < 0) throw new IllegalArgumentException("positions must be >= 0, got " + first);
        long[] positions = new long[(int) Math.min(x.dim(0), Integer.MAX_VALUE - 8)];
        for (int t = 0; t < positions.length; t++) positions[t] = first + t;
        apply(x, positions);
    }

    private MemorySegment table = MemorySegment.NULL;  // cos/sin of positions 0 .. tablePositions - 1
    private long tablePositions;

    /**
     * The cos/sin table (vane_rope_table) of at least positions 0 .. positions - 1, computed once
     * and grown as needed (GC-managed memory).
     */
    synchronized MemorySegment table(long positions) {
        if (positions > tablePositions) {
            long n = Math.max(positions, 2 * tablePositions);
            MemorySegment t = Arena.ofAuto().allocate(ValueLayout.JAVA_FLOAT, Math.max(1, n * rotDim));
            try (Arena call = Arena.ofConfined()) {
                MemorySegment p = params(call, 1);
                Native.check((int) VaneNative.ROPE_TABLE.invokeExact(p, n, t));
            } catch (Throwable e) {
                throw Native.rethrow(e);
            }
            table = t;
            tablePositions = n;
        }
        return table;
    }

    /** vane_rope_params for heads heads, in call's memory (the freq factors copied there too). */
    private MemorySegment params(Arena call, long heads) {
        MemorySegment p = call.allocate(NativeLayouts.ROPE_PARAMS);
        NativeLayouts.ROPE_N_HEADS.set(p, heads);
        NativeLayouts.ROPE_HEAD_DIM.set(p, (long) headDim);
        NativeLayouts.ROPE_ROT_DIM.set(p, (long) rotDim);
        NativeLayouts.ROPE_BASE.set(p, base);
        NativeLayouts.ROPE_LINEAR_SCALE.set(p, 1f / scaling.freqScale);  // native takes 1 / linear_scale back: freqScale exactly when it is 1 / factor
        NativeLayouts.ROPE_NEOX.set(p, layout == Layout.NEOX ? 1 : 0);
        NativeLayouts.ROPE_FREQ_FACTORS.set(p, scaling.freqFactors == null || rotDim == 0 ? MemorySegment.NULL
                : call.allocateFrom(ValueLayout.JAVA_FLOAT, scaling.freqFactors));
        NativeLayouts.ROPE_EXT_FACTOR.set(p, scaling.extFactor);
        NativeLayouts.ROPE_ATTN_FACTOR.set(p, scaling.attnFactor);
        NativeLayouts.ROPE_BETA_FAST.set(p, scaling.betaFast);
        NativeLayouts.ROPE_BETA_SLOW.set(p, scaling.betaSlow);
        NativeLayouts.ROPE_N_CTX_ORIG.set(p, (long) scaling.origContext);
        return p;
    }

    /** The scaling (Scaling.NONE when none). */
    public Scaling scaling() {
        return scaling;
    }

    int headDim() {
        return headDim;
    }

    int rotDim() {
        return rotDim;
    }

    Layout layout() {
        return layout;
    }

    @Override
    public String toString() {
        return "Rope[headDim=" + headDim + ", rotDim=" + rotDim + ", base=" + base + ", " + layout + ", " + scaling + "]";
    }
}
