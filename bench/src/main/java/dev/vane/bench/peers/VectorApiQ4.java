package dev.vane.bench.peers;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Peer: a Java Vector API Q4_0 kernel in the style of the pure-Java inference engines: per block,
 * widen the 16 nibble bytes to float lanes, subtract 8, and fuse-multiply-add with x; one scale
 * multiply per block.
 */
public final class VectorApiQ4 {
    private VectorApiQ4() {}

    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;

    public static void gemm(Q4Matrix w, float[] x, int m, float[] y, ForkJoinPool pool) {
        int n = w.n(), k = w.k(), blocks = k / Q4Matrix.BLOCK;
        byte[] data = w.blocks();
        pool.submit(() -> IntStream.range(0, n).parallel().forEach(j -> {
            for (int i = 0; i < m; i++) {
                FloatVector acc = FloatVector.zero(F256);
                for (int b = 0; b < blocks; b++) {
                    int off = w.blockOffset(j, b), xo = i * k + b * Q4Matrix.BLOCK;
                    ByteVector q = ByteVector.fromArray(B128, data, off);
                    ByteVector lo = q.and((byte) 0x0F).sub((byte) 8);
                    ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
                    FloatVector sum = ((FloatVector) lo.castShape(F256, 0)).mul(FloatVector.fromArray(F256, x, xo));
                    sum = ((FloatVector) lo.castShape(F256, 1)).fma(FloatVector.fromArray(F256, x, xo + 8), sum);
                    sum = ((FloatVector) hi.castShape(F256, 0)).fma(FloatVector.fromArray(F256, x, xo + 16), sum);
                    sum = ((FloatVector) hi.castShape(F256, 1)).fma(FloatVector.fromArray(F256, x, xo + 24), sum);
                    acc = sum.fma(FloatVector.broadcast(F256, w.scale(j, b)), acc);
                }
                y[i * n + j] = acc.reduceLanes(VectorOperators.ADD);
            }
        })).join();
    }
}
