package dev.vane.samples.cli;

import dev.vane.model.gguf.GgmlType;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.gguf.GgufTensor;
import dev.vane.model.safetensors.SafetensorsFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code vane info FILE}: a GGUF or safetensors file's metadata and tensor table (name, type,
 * shape, bytes), and for GGUF the mix of tensor types. Long arrays (vocabularies) are summarised
 * by their length and first entries.
 */
final class ModelInfoCommand {
    private ModelInfoCommand() {}

    static void run(Path path, PrintStream out) throws IOException {
        if (!Files.isRegularFile(path)) throw new IllegalArgumentException("no such file: " + path);
        byte[] magic = new byte[4];
        try (InputStream in = Files.newInputStream(path)) {
            if (in.readNBytes(magic, 0, 4) < 4) throw new IllegalArgumentException(path + " is too short to be a model file");
        }
        if (new String(magic, java.nio.charset.StandardCharsets.ISO_8859_1).equals("GGUF")) gguf(path, out);
        else safetensors(path, out);
    }

    private static void gguf(Path path, PrintStream out) throws IOException {
        try (GgufFile f = GgufFile.open(path)) {
            out.printf("%s: GGUF v%d, %d metadata entries, %d tensors, alignment %d%n", path, f.version(), f.metadata().size(), f.tensors().size(),
                    f.alignment());
            for (Map.Entry<String, Object> e : f.metadata().entrySet()) out.printf("  %-40s %s%n", e.getKey(), brief(e.getValue()));
            out.printf("%-48s %-6s %-24s %12s%n", "tensor", "type", "ne (ggml order)", "bytes");
            long total = 0;
            for (GgufTensor t : f.tensors()) {
                out.printf("%-48s %-6s %-24s %12d%n", t.name(), t.type(), Arrays.toString(t.ne()), t.data().byteSize());
                total += t.data().byteSize();
            }
            out.printf("%d tensors, %d bytes%n", f.tensors().size(), total);
            Map<GgmlType, Integer> types = new TreeMap<>();
            for (GgufTensor t : f.tensors()) types.merge(t.type(), 1, Integer::sum);
            StringBuilder mix = new StringBuilder();
            types.forEach((type, n) -> mix.append(mix.isEmpty() ? "" : ", ").append(n).append(' ').append(type)
                    .append(type.vaneFormat() == null ? " (not readable by Vane)" : ""));
            out.printf("types: %s%n", mix);
        }
    }

    private static void safetensors(Path path, PrintStream out) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            out.printf("%s: safetensors, %d metadata entries, %d tensors%n", path, f.metadata().size(), f.tensors().size());
            for (Map.Entry<String, String> e : f.metadata().entrySet()) out.printf("  %-40s %s%n", e.getKey(), brief(e.getValue()));
            out.printf("%-48s %-8s %-24s %12s%n", "tensor", "dtype", "shape", "bytes");
            long total = 0;
            for (SafetensorsFile.Tensor t : f.tensors().values()) {
                out.printf("%-48s %-8s %-24s %12d%n", t.name(), t.dtype(), Arrays.toString(t.shape()), t.data().byteSize());
                total += t.data().byteSize();
            }
            out.printf("%d tensors, %d bytes%n", f.tensors().size(), total);
        }
    }

    private static String brief(Object v) {
        if (v instanceof List<?> l) {
            return l.size() > 8 ? "[" + l.size() + " items: " + l.subList(0, 5) + " ...]" : String.valueOf(l);
        }
        String s = String.valueOf(v);
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }
}
