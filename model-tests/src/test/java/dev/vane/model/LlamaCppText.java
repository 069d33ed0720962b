package dev.vane.model;

import dev.vane.model.chat.ChatMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Test helper: llama.cpp's text functions (llama_tokenize, llama_token_to_piece with the token's
 * attributes and end-of-generation flag, llama_chat_apply_template) as tools/llama-ref's llama_ref
 * runs them, in its own process, for the tests of the tokenizers and chat templates. Many texts go
 * to one run, so a vocabulary is loaded once. The path of llama_ref comes from the system property
 * vane.llama.ref (set by the pom); a missing harness is an error naming the fetch script.
 */
public final class LlamaCppText {
    /** llama_token_attr bits (llama.h). */
    public static final int ATTR_UNKNOWN = 1, ATTR_UNUSED = 2, ATTR_NORMAL = 4, ATTR_CONTROL = 8, ATTR_USER_DEFINED = 16, ATTR_BYTE = 32;

    /** A token as llama.cpp loaded it: its attributes, whether it ends generation, and its piece. */
    public record Piece(int attributes, boolean endsGeneration, byte[] bytes) {}

    private final Path binary;

    private LlamaCppText(Path binary) {
        this.binary = binary;
    }

    public static LlamaCppText locate() {
        return new LlamaCppText(LlamaRef.harness());
    }

    /** llama_tokenize(text, addBos, parseSpecial) of each text, on the vocabulary of model. */
    public List<int[]> tokenize(Path model, List<String> texts, boolean addBos, boolean parseSpecial) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        for (String t : texts) {
            if (t.indexOf('\0') >= 0) throw new IllegalArgumentException("llama_ref's texts cannot hold a NUL character: " + t);
            file.writeBytes(t.getBytes(StandardCharsets.UTF_8));
            file.write(0);
        }
        Path in = Files.createTempFile("llama-ref-texts", ".bin");
        try {
            Files.write(in, file.toByteArray());
            List<String> args = new ArrayList<>(List.of("tokenize", "--model", model.toString(), "--texts", in.toString()));
            if (addBos) args.add("--bos");
            if (parseSpecial) args.add("--special");
            String[] lines = run(args).split("\n", -1);
            if (lines.length != texts.size() + 1 || !lines[texts.size()].isEmpty()) {
                throw new IOException("llama_ref tokenize printed " + (lines.length - 1) + " lines for " + texts.size() + " texts");
            }
            List<int[]> out = new ArrayList<>(texts.size());
            for (int i = 0; i < texts.size(); i++) {
                out.add(lines[i].isEmpty() ? new int[0] : Arrays.stream(lines[i].split(",")).mapToInt(Integer::parseInt).toArray());
            }
            return out;
        } finally {
            Files.deleteIfExists(in);
        }
    }

    /** Every token of model's vocabulary: llama_vocab_get_attr, llama_vocab_is_eog and llama_token_to_piece(special). */
    public List<Piece> pieces(Path model, boolean special) throws IOException {
        List<String> args = new ArrayList<>(List.of("pieces", "--model", model.toString(), "--all"));
        if (special) args.add("--special");
        String[] lines = run(args).split("\n");
        List<Piece> out = new ArrayList<>(lines.length);
        HexFormat hex = HexFormat.of();
        for (String line : lines) {
            String[] f = line.split(" ", -1);
            if (f.length != 3) throw new IOException("llama_ref pieces printed '" + line + "'");
            out.add(new Piece(Integer.parseInt(f[0]), f[1].equals("1"), hex.parseHex(f[2])));
        }
        return out;
    }

    /**
     * llama_chat_apply_template's prompt for the messages: template is a built-in name or a Jinja
     * template (llama.cpp picks its built-in format by markers); null takes model's
     * tokenizer.chat_template. model may be null when template is given.
     */
    public String chat(Path model, String template, List<ChatMessage> messages, boolean addAssistant) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        for (ChatMessage m : messages) {
            for (String s : List.of(m.role(), m.content())) {
                if (s.indexOf('\0') >= 0) throw new IllegalArgumentException("llama_ref's messages cannot hold a NUL character");
                file.writeBytes(s.getBytes(StandardCharsets.UTF_8));
                file.write(0);
            }
        }
        Path in = Files.createTempFile("llama-ref-chat", ".bin");
        try {
            Files.write(in, file.toByteArray());
            List<String> args = new ArrayList<>(List.of("chat", "--messages", in.toString()));
            if (model != null) args.addAll(List.of("--model", model.toString()));
            if (template != null) args.addAll(List.of("--template", template));
            if (addAssistant) args.add("--add-ass");
            return run(args);
        } finally {
            Files.deleteIfExists(in);
        }
    }

    private String run(List<String> args) throws IOException {
        return LlamaRef.run(binary, args);
    }
}
