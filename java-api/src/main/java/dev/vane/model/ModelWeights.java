package dev.vane.model;

import dev.vane.FeedForward;
import dev.vane.QuantizedMatrix;
import dev.vane.RmsNorm;
import dev.vane.Tensor;
import dev.vane.moe.MoeLayer;
import dev.vane.quant.QuantFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A loaded model's tensors in Vane's types. The memory belongs to the Model's arena.
 *
 * @param ropeFactors per-pair RoPE frequency factors (Llama 3.1's rope_freqs), or null
 * @param ropeLong    Phi-3's LongRoPE factors for contexts past the original one, or null
 * @param ropeShort   ... and for contexts within it, or null
 * @param inFlight    the passes running on these weights (every pass enters it; the model's close waits for them)
 */
record ModelWeights(QuantizedMatrix embedding, RmsNorm outputNorm, QuantizedMatrix output, float[] ropeFactors, float[] ropeLong, float[] ropeShort,
        List<Layer> layers, InFlight inFlight) {

    /**
     * One transformer block: exactly one of ffn (dense) and moe is set. wqkv, if not null, is wq,
     * wk and wv back to back as one [q + 2 kv, dim] matrix (one GEMM for all three; wq, wk, wv
     * are then null when the file holds them fused). The optional parts are null when the family
     * has none: qkvBias [q + 2 kv], per-head qNorm/kNorm, woBias, sinks [heads], the norms after
     * each sublayer (Gemma).
     */
    record Layer(RmsNorm attnNorm, QuantizedMatrix wq, QuantizedMatrix wk, QuantizedMatrix wv, QuantizedMatrix wqkv, Tensor qkvBias, RmsNorm qNorm,
            RmsNorm kNorm, QuantizedMatrix wo, Tensor woBias, Tensor sinks, RmsNorm attnPostNorm, RmsNorm ffnNorm, FeedForward ffn, MoeLayer moe,
            RmsNorm ffnPostNorm) {

        List<QuantizedMatrix> matrices() {
            List<QuantizedMatrix> all = new ArrayList<>();
            if (wqkv != null) all.add(wqkv);
            else all.addAll(List.of(wq, wk, wv));
            all.add(wo);
            if (ffn != null) addFfn(all, ffn);
            else {
                all.add(moe.router());
                for (FeedForward f : moe.expertList()) addFfn(all, f);
                if (moe.shared() != null) addFfn(all, moe.shared());
            }
            return all;
        }

        private static void addFfn(List<QuantizedMatrix> all, FeedForward f) {
            all.addAll(List.of(f.gate(), f.up(), f.down()));
        }
    }

    /** Bytes of every matrix as held (the embedding table included). */
    long bytes() {
        long n = 0;
        for (long b : bytesByFormat().values()) n += b;
        return n;
    }

    /** Bytes held in each format, over every matrix (the embedding table included). */
    Map<QuantFormat, Long> bytesByFormat() {
        Map<QuantFormat, Long> out = new TreeMap<>();
        List<QuantizedMatrix> all = new ArrayList<>(List.of(embedding, output));  // a tied output is read per token all the same
        for (Layer l : layers) all.addAll(l.matrices());
        for (QuantizedMatrix m : all) out.merge(m.format(), m.segment().byteSize(), Long::sum);
        return out;
    }
}
