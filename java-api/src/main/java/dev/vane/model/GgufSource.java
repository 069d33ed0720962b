package dev.vane.model;

import dev.vane.DType;
import dev.vane.QuantizedMatrix;
import dev.vane.Tensor;
import dev.vane.VaneException;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.gguf.GgufTensor;
import dev.vane.quant.QuantFormat;
import dev.vane.quant.Quantizer;
import java.lang.foreign.Arena;
import java.util.HashMap;
import java.util.Map;

/** A GGUF file's tensors by llama.cpp's names; shapes reversed from GGUF's ne order (trailing 1s dropped). */
final class GgufSource implements TensorSource {
    private final Map<String, GgufTensor> byName = new HashMap<>();
    private final String arch;  // general.architecture, the prefix of the hyper-parameters' keys

    GgufSource(GgufFile file) {
        for (GgufTensor t : file.tensors()) byName.put(t.name(), t);
        arch = file.string("general.architecture");
    }

    @Override
    public Source find(Weight w, int layer) {
        GgufTensor t = byName.get(w.ggufName(layer));
        return t == null ? null : new Tensor1(t);
    }

    @Override
    public String nameOf(Weight w, int layer) {
        return w.ggufName(layer);
    }

    @Override
    public String kind() {
        return "GGUF file";
    }

    @Override
    public String keyName(String ggufKey, String configKey) {
        return arch + "." + ggufKey;
    }

    private record Tensor1(GgufTensor t) implements Source {
        @Override
        public String name() {
            return t.name();
        }

        @Override
        public long[] shape() {
            long[] ne = t.ne();
            int n = ne.length;
            while (n > 1 && ne[n - 1] == 1) n--;
            long[] s = new long[n];
            for (int i = 0; i < n; i++) s[i] = ne[n - 1 - i];
            return s;
        }

        @Override
        public String type() {
            return t.type().toString();
        }

        @Override
        public QuantizedMatrix matrix(int i) {
            QuantFormat f = t.type().vaneFormat();
            if (f == null) {
                throw new ModelFormatException("tensor '" + t.name() + "' is " + t.type() + "; Vane loads F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1,"
                        + " Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS and MXFP4 tensors");
            }
            long[] s = shape();
            long rows = s.length >= 2 ? s[s.length - 2] : 1, cols = s[s.length - 1];
            if (i == 0) checkScales(f, t.rows(), t.cols());  // rows(): every expert's
            long bytes = f.byteSize(rows, cols);
            return QuantizedMatrix.wrap(f, t.data().asSlice(i * bytes, bytes), rows, cols);
        }

        // The whole tensor's blocks, checked once (a NaN or Inf scale is a damaged or hostile file).
        private void checkScales(QuantFormat f, long rows, long cols) {
            try {
                Quantizer.checkScales(f, t.data(), rows, cols);
            } catch (VaneException e) {
                throw new ModelFormatException("tensor '" + t.name() + "' (" + t.type() + ") has a block that cannot be used: " + e.getMessage(), e);
            }
        }

        @Override
        public Tensor floats(int i, Arena arena) {
            DType d = switch (t.type()) {
                case F32 -> DType.F32;
                case F16 -> DType.F16;
                case BF16 -> DType.BF16;
                default -> throw new ModelFormatException("tensor '" + t.name() + "' is " + t.type() + "; expected F32, F16 or BF16");
            };
            long n = t.ne()[0];
            long bytes = n * d.byteSize();
            return TensorSource.floats(t.data().asSlice(i * bytes, bytes), d, n, arena, t.name());
        }
    }
}
