package dev.vane.tools.quantize;

import dev.vane.model.ModelConfig;
import dev.vane.model.ModelFormatException;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.gguf.GgufTensor;
import dev.vane.model.quantize.FileType;
import dev.vane.model.quantize.TypeMix;
import dev.vane.quant.QuantFormat;
import dev.vane.quant.Quantizer;
import dev.vane.tools.gguf.GgufWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a GGUF model in one of llama.cpp's file types, as llama.cpp's quantizer does without an
 * importance matrix: each tensor gets the type {@link TypeMix} gives it, its values are read as
 * f32 and quantized by Vane's quantizers (byte for byte llama.cpp's reference quantizers), the
 * tensors are written in llama.cpp's order, and the metadata is copied with its stored types
 * (general.file_type and general.quantization_version set as llama.cpp sets them). Tensors that
 * keep their type are copied byte for byte. Memory: one tensor at a time.
 */
public final class GgufQuantizer {
    private GgufQuantizer() {}

    /** What was written: each tensor's new type, and the input and output tensor bytes. */
    public record Result(Map<String, GgmlType> types, long inBytes, long outBytes) {}

    /** llama.cpp's value of general.quantization_version for the files it writes. */
    static final int QUANTIZATION_VERSION = 2;

    public static Result quantize(Path in, Path out, FileType fileType) throws IOException {
        Objects.requireNonNull(in, "in must not be null");
        Objects.requireNonNull(out, "out must not be null");
        Objects.requireNonNull(fileType, "fileType must not be null");
        try (GgufFile file = GgufFile.open(in)) {
            ModelConfig config = ModelConfig.fromGguf(file);
            List<TypeMix.Tensor> mixIn = new ArrayList<>();
            for (GgufTensor t : file.tensors()) mixIn.add(new TypeMix.Tensor(t.name(), t.ne(), t.type()));
            Map<String, GgmlType> types = TypeMix.types(fileType, TypeMix.Model.of(config), mixIn);
            GgufWriter writer = new GgufWriter()
                    .copyMetadata(file, key -> !key.equals("general.quantization_version") && !key.equals("general.file_type"))
                    .putUint32("general.quantization_version", QUANTIZATION_VERSION)
                    .putUint32("general.file_type", fileType.id());
            long inBytes = 0, outBytes = 0;
            for (String name : types.keySet()) {  // TypeMix's order is llama.cpp's
                GgufTensor t = file.tensor(name);
                GgmlType target = types.get(name);
                inBytes += t.data().byteSize();
                outBytes += t.elementCount() / target.blockElements() * target.blockBytes();
                writer.addTensor(name, target, t.ne(), target == t.type() ? os -> write(t.data(), os) : os -> {
                    try (Arena arena = Arena.ofConfined()) {  // one tensor's f32 and new bytes, freed once written
                        write(convert(t, target, arena), os);
                    }
                });
            }
            writer.write(out);
            return new Result(types, inBytes, outBytes);
        }
    }

    // The tensor's values as f32, then in target's layout (as rows of ne[0]; 3-D expert tensors too).
    private static MemorySegment convert(GgufTensor t, GgmlType target, Arena arena) {
        QuantFormat from = t.type().vaneFormat(), to = target.vaneFormat();
        if (from == null || to == null) {
            throw new ModelFormatException("tensor '" + t.name() + "': cannot convert " + t.type() + " to " + target + " (Vane reads and writes "
                    + "the GGUF types that GgmlType.vaneFormat names)");
        }
        long rows = t.rows(), cols = t.cols();
        MemorySegment src = t.data();
        if (src.address() % from.byteAlignment() != 0) src = arena.allocate(src.byteSize(), 64).copyFrom(src);
        MemorySegment f32 = arena.allocate(rows * cols * 4, 64);
        Quantizer.dequantize(from, src, rows, cols, f32);
        return to == QuantFormat.F32 ? f32 : Quantizer.quantize(to, f32, rows, cols, arena);
    }

    private static void write(MemorySegment data, OutputStream out) throws IOException {
        byte[] chunk = new byte[1 << 20];
        for (long at = 0; at < data.byteSize(); at += chunk.length) {
            int n = (int) Math.min(chunk.length, data.byteSize() - at);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at, chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }
}
