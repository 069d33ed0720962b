package dev.vane.embedded;

import dev.vane.model.Model;
import dev.vane.model.WeightFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The small model that ships in vane-embedded-model: a Mixtral-style mixture of experts trained
 * on the King James Bible by tools/train-tiny-moe (its README says how to reproduce it). What
 * {@code vane run} runs when no model is given.
 */
public final class EmbeddedModel {
    /** The class-path resource of the GGUF file; its SHA-256 is beside it in {@code .sha256}. */
    public static final String RESOURCE = "/dev/vane/embedded/tiny-moe-kjv.gguf";

    /** The class-path resource of {@link #toolsChatTemplate()}. */
    public static final String TOOLS_TEMPLATE = "/dev/vane/embedded/tools-chat-template.jinja";

    private EmbeddedModel() {}

    /** Whether this build of vane-embedded-model carries the model. */
    public static boolean available() {
        return EmbeddedModel.class.getResource(RESOURCE) != null;
    }

    /**
     * Loads the embedded model: its bytes are copied out of the jar into a private temporary
     * file, checked against the recorded SHA-256, mapped, and the file is deleted again (the
     * mapping keeps the data).
     */
    public static Model load(WeightFormat format) throws IOException {
        Path file = Files.createTempFile("vane-embedded-", ".gguf");
        try {
            writeTo(file);
            return Model.load(file, format);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Writes the embedded model's GGUF file to file (replacing it), checked against the recorded
     * SHA-256: for tools that read files (llama.cpp as a peer in the benchmarks).
     */
    public static void writeTo(Path file) throws IOException {
        byte[] bytes = resource(RESOURCE);
        String want = new String(resource(RESOURCE + ".sha256"), StandardCharsets.US_ASCII).trim().split("\\s+")[0];
        String got = sha256(bytes);
        if (!got.equalsIgnoreCase(want)) {
            throw new IllegalStateException("the embedded model's SHA-256 is " + got + " but " + RESOURCE + ".sha256 records " + want
                    + " (a damaged or mismatched build of vane-embedded-model)");
        }
        Files.write(file, bytes);
    }

    public static Model load() throws IOException {
        return load(WeightFormat.AS_IS);
    }

    /**
     * A chat template (Jinja, Hermes / Qwen2.5 style: one line per tool in the system message, calls in
     * {@code <tool_call>} blocks, results in {@code <tool_response>}; short, for a 256-token context) to chat with the embedded model,
     * whose file carries none; render it with vane-jinja, e.g.
     * {@code ModelChatFormat.choose(EmbeddedModel.toolsChatTemplate(), model.specialTokenTexts())}.
     * The model was never trained on it: it calls a tool only when a grammar makes it.
     */
    public static String toolsChatTemplate() throws IOException {
        return new String(resource(TOOLS_TEMPLATE), StandardCharsets.UTF_8);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = EmbeddedModel.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("vane-embedded-model carries no " + name + " (this build was made without the embedded model)");
            return in.readAllBytes();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
