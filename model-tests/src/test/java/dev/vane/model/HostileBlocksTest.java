package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.gguf.GgmlType;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.gguf.GgufFormatException;
import dev.vane.model.gguf.GgufTensor;
import dev.vane.model.quantize.FileType;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import dev.vane.tools.quantize.GgufQuantizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged and hostile blocks in files of GGUF's quantized types: a NaN or Inf scale, a 0xFF
 * (NaN) MXFP4 exponent, a row length the type's block does not divide, a type id Vane does not
 * know and one it knows but does not read. Each gets an exception naming the tensor (and for a
 * scale, the row and block), never a crash or NaN logits. The files are valid quantized models
 * with bytes changed in place.
 */
class HostileBlocksTest {
    @TempDir
    static Path dir;
    static Path q4km, mxfp4;

    @BeforeAll
    static void write() throws Exception {
        Path dense = dir.resolve("dense.gguf"), moe = dir.resolve("moe.gguf");
        ModelGenerator.writeGguf(new ModelSpec(256, 1, 4, 1, 512, 512, 0, 0, 256, 10000f, 1e-5f, GgmlType.F32, ModelSpec.TokenizerKind.SPM, 5), dense);
        ModelGenerator.writeGguf(new ModelSpec(256, 1, 4, 1, 256, 512, 2, 1, 256, 10000f, 1e-5f, GgmlType.F32, ModelSpec.TokenizerKind.SPM, 6), moe);
        q4km = dir.resolve("q4km.gguf");
        mxfp4 = dir.resolve("mxfp4.gguf");
        GgufQuantizer.quantize(dense, q4km, FileType.Q4_K_M);
        GgufQuantizer.quantize(moe, mxfp4, FileType.MXFP4_MOE);
        Model.load(q4km).close();
        Model.load(mxfp4).close();
    }

    @Test
    void nanAndInfScalesAreRefusedNamingTheBlock() throws Exception {
        // blk.0.attn_q is Q4_K, [256, 256]: one 144-byte block per row, d at byte 0, dmin at byte 2.
        expectScale(q4km, "blk.0.attn_q.weight", GgmlType.Q4_K, 3 * 144, (short) 0x7e00, "row 3, block 0");
        expectScale(q4km, "blk.0.attn_q.weight", GgmlType.Q4_K, 144 + 2, (short) 0x7c00, "row 1, block 0");
        // output.weight is Q6_K: d at byte 208 of each 210-byte block.
        expectScale(q4km, "output.weight", GgmlType.Q6_K, 208, (short) 0xfc00, "row 0, block 0");
    }

    @Test
    void mxfp4NanExponentIsRefused() throws Exception {
        Path bad = patch(mxfp4, "blk.0.ffn_up_exps.weight", GgmlType.MXFP4, 17 * 9, new byte[] {(byte) 0xff});
        Exception e = assertThrows(ModelFormatException.class, () -> Model.load(bad).close());
        assertMentions(e, "blk.0.ffn_up_exps.weight", "row 1, block 1", "NaN");
    }

    @Test
    void rowLengthThatTheBlockDoesNotDivide() throws Exception {
        Path bad = patchHeader(q4km, "blk.0.attn_q.weight", 4, u64(100));  // ne[0] 256 -> 100
        Exception e = assertThrows(GgufFormatException.class, () -> Model.load(bad).close());
        assertMentions(e, "blk.0.attn_q.weight", "100", "256");
    }

    @Test
    void unknownAndUnreadableTypes() throws Exception {
        // After the name: n_dims (4), ne[0], ne[1] (8 each), then the type id.
        Path unknown = patchHeader(q4km, "blk.0.attn_q.weight", 20, u32(99));
        assertMentions(assertThrows(GgufFormatException.class, () -> Model.load(unknown).close()), "blk.0.attn_q.weight", "99");
        Path unreadable = patchHeader(q4km, "blk.0.attn_q.weight", 20, u32(GgmlType.IQ2_XXS.id()));
        assertMentions(assertThrows(ModelFormatException.class, () -> Model.load(unreadable).close()), "blk.0.attn_q.weight", "IQ2_XXS");
    }

    private static void expectScale(Path file, String tensor, GgmlType type, long at, short bits, String where) throws Exception {
        Path bad = patch(file, tensor, type, at, ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(bits).array());
        Exception e = assertThrows(ModelFormatException.class, () -> Model.load(bad).close());
        assertMentions(e, tensor, where, type.toString());
    }

    // A copy of file with bytes written at offset `at` of the tensor's data.
    private static Path patch(Path file, String tensor, GgmlType type, long at, byte[] bytes) throws Exception {
        long start;
        try (GgufFile f = GgufFile.open(file)) {
            GgufTensor t = f.tensor(tensor);
            assertTrue(t.type() == type, tensor + " is " + t.type() + ", the test expects " + type);
            start = t.fileOffset();
        }
        byte[] all = Files.readAllBytes(file);
        System.arraycopy(bytes, 0, all, (int) (start + at), bytes.length);
        Path out = Files.createTempFile(dir, "bad", ".gguf");
        Files.write(out, all);
        return out;
    }

    // A copy of file with bytes written `after` bytes past the end of the tensor's name in its header entry.
    private static Path patchHeader(Path file, String tensor, int after, byte[] bytes) throws Exception {
        byte[] all = Files.readAllBytes(file);
        byte[] name = tensor.getBytes(StandardCharsets.UTF_8);
        int at = -1;
        for (int i = 0; i + name.length <= all.length && at < 0; i++) {
            if (all[i + name.length - 1] != name[name.length - 1]) continue;
            if (java.util.Arrays.equals(all, i, i + name.length, name, 0, name.length) && i >= 8
                    && ByteBuffer.wrap(all, i - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong() == name.length) at = i + name.length;
        }
        assertTrue(at > 0, "tensor info of " + tensor + " found");
        System.arraycopy(bytes, 0, all, at + after, bytes.length);
        Path out = Files.createTempFile(dir, "bad", ".gguf");
        Files.write(out, all);
        return out;
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message should mention '" + p + "': " + e.getMessage());
    }
}
