package dev.vane.model;

import dev.vane.FeedForward;
import dev.vane.QuantizedMatrix;
import dev.vane.RmsNorm;
import dev.vane.moe.MoeLayer;
import dev.vane.quant.QuantFormat;
import java.util.List;

/** A loaded model's tensors in Vane's types. The memory belongs to the Model's arena. */
record ModelWeights(QuantizedMatrix embedding, RmsNorm outputNorm, QuantizedMatrix output, List<Layer> layers) {

    /**
     * One transformer block: exactly one of ffn (dense) and moe is set. wqkv, if not null, is wq,
     * wk and wv back to back as one [q + 2 kv, dim] matrix (one GEMM for all three).
     */
    record Layer(RmsNorm attnNorm, QuantizedMatrix wq, QuantizedMatrix wk, QuantizedMatrix wv, QuantizedMatrix wqkv, QuantizedMatrix wo,
            RmsNorm ffnNorm, FeedForward ffn, MoeLayer moe) {}

    /** Bytes of every matrix as held (the embedding table included). */
    long bytes() {
        long n = embedding.segment().byteSize() + output.segment().byteSize();
        for (Layer l : layers) {
            for (QuantizedMatrix m : new QuantizedMatrix[] {l.wq(), l.wk(), l.wv(), l.wo()}) n += m.segment().byteSize();
            if (l.ffn() != null) n += ffnBytes(l.ffn());
            else {
                n += l.moe().router().segment().byteSize();
                for (FeedForward f : l.moe().expertList()) n += ffnBytes(f);
            }
        }
        return n;
    }

    /** Bytes held in each format, over every matrix (the embedding table included). */
    java.util.Map<QuantFormat, Long> bytesByFormat() {
        java.util.Map<QuantFormat, Long> out = new java.util.TreeMap<>();
        java.util.List<QuantizedMatrix> all = new java.util.ArrayList<>(java.util.List.of(embedding, output));
        for (Layer l : layers) {
            all.addAll(java.util.List.of(l.wq(), l.wk(), l.wv(), l.wo()));
            if (l.ffn() != null) all.addAll(java.util.List.of(l.ffn().gate(), l.ffn().up(), l.ffn().down()));
            else {
                all.add(l.moe().router());
                for (FeedForward f : l.moe().expertList()) all.addAll(java.util.List.of(f.gate(), f.up(), f.down()));
            }
        }
        for (QuantizedMatrix m : all) out.merge(m.format(), m.segment().byteSize(), Long::sum);
        return out;
    }

    private static long ffnBytes(FeedForward f) {
        return f.gate().segment().byteSize() + f.up().segment().byteSize() + f.down().segment().byteSize();
    }
}
