package dev.vane.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vane.model.LlamaCppText;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatTemplate;
import dev.vane.model.chat.Harmony;
import java.time.LocalDate;
import dev.vane.model.json.Json;
import java.nio.file.Files;
import java.util.Map;
import dev.vane.model.gguf.GgufFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Vane's tokenizers give the token ids of llama.cpp of August 2026 (tools/llama-ref's llama_ref,
 * llama_tokenize) for the vocabularies of the model families people download: Qwen3 (byte-level
 * BPE, llama.cpp's "qwen2" pre-tokenizer), Gemma 3 (SentencePiece-style with byte fallback, no
 * space prefix, user-defined whitespace and HTML tokens), gpt-oss (byte-level BPE with the o200k
 * pattern, llama.cpp's "gpt-4o", and harmony's markers), and Llama 2 / Llama 3 again. Each real
 * tokenizer.json (fetched by ci/fetch-vocabularies.sh) is brought into the GGUF vocabulary
 * llama.cpp's converter writes for it, written into a weightless GGUF that llama.cpp loads
 * vocabulary-only, and Vane tokenizes from that GGUF and from tokenizer.json. Checked on a varied
 * text set (ASCII, digit runs, CJK, emoji, whitespace runs, contractions, case changes, code, text
 * that looks like special tokens, seeded random mixes), with and without special-token parsing:
 * the ids, decode(encode(text)) giving the text back (without control tokens), and for every token
 * of the vocabulary its bytes (llama_token_to_piece) and whether it ends generation.
 */
class FamilyTokenizerAgreementTest {
    @TempDir
    Path dir;

    /** Texts for the newer families: case changes, digit runs, whitespace runs, paths, code, and chat markup. */
    static final List<String> TEXTS = List.of(
            "HelloWorld camelCase XMLHttpRequest iPhone McDonald's DON'T don't",
            "ΑΒΓδεΖ Ελληνικά ÀÉÎõü ǄǅǆDž ʰʲʷ", "e\u0301\u0301 a\u0308b \u0915\u093f\u0928\u093e\u0930\u0947", "ﬁ ﬂ Ⅻ ⅷ ① ²³",
            "1234567890 12345678901234567890 ３４５ ٣٤٥ 1,000,000.00", "x=12;y=345;z=6789",
            "a\n\n\nb", "    indented\n        more\n\t\ttabs", "\n \n  \n   ", "end\n\n", "  \u00a0\u00a0x\u3000y",
            "/path/to/file.txt //comment a/b//c http://example.com/x?y=1&z=2 C:\\dir\\f",
            "def f(x):\n    return x**2  # square\n", "if (a && b) { return; }\n", "<div class=\"x\">&amp;</div> <table><tr><td>1</td></tr></table>",
            "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", "<think>\nhmm\n</think>\n\nok", "<tool_call>{\"a\": 1}</tool_call>",
            "<start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n", "<bos><eos><pad><unk><mask>[multimodal]<unused0><unused99>",
            "<|start|>system<|message|>x<|end|><|start|>assistant<|channel|>final<|message|>y<|return|>", "<|call|><|constrain|>json<|endofprompt|>",
            "<|endoftext|><|startoftext|><|reserved_200000|>", "</s><s> <s>x</s>", "<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|><|file_sep|>",
            "<<|im_start|>> <|im_start <|end| |>", "▁▁x ▁");

    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "gemma3", "gptoss", "llama3", "llama2"})
    void agreesWithLlamaCpp(String name) throws Exception {
        Vocabulary fromJson = HfTokenizerJson.read(LlamaCppTokenizerAgreementTest.vocabularyFile(name));
        Path gguf = VocabGguf.write(fromJson, null, dir.resolve(name + ".gguf"));
        Vocabulary vocab;
        try (GgufFile f = GgufFile.open(gguf)) {
            vocab = Vocabulary.fromGguf(f);
        }
        checkConversion(name, vocab);
        List<Tokenizer> vane = List.of(vocab.tokenizer(), fromJson.tokenizer());
        ChatTemplate chat = chatTemplate(name);
        List<String> texts = new ArrayList<>(texts(vocab));
        // Prompts as the family's chat format renders them, the way a session encodes them.
        List<ChatMessage> conversation = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi there! 你好"),
                ChatMessage.assistant("Hello. 123 + 4567 = 4690"), ChatMessage.user("  Why?\n\n"));
        texts.add(0, chat.render(conversation, true));
        texts.add(1, chat.render(conversation.subList(0, 3), false));
        if (name.equals("gptoss")) texts.add(2, Harmony.render(conversation, true, Harmony.Reasoning.MEDIUM, LocalDate.of(2026, 8, 5)));
        LlamaCppText llama = LlamaCppText.locate();
        List<String> failures = new ArrayList<>();
        for (boolean special : new boolean[] {true, false}) {
            List<int[]> expected = llama.tokenize(gguf, texts, false, special);
            for (int i = 0; i < texts.size(); i++) {
                String text = texts.get(i);
                for (int v = 0; v < vane.size(); v++) {
                    int[] got = vane.get(v).encode(text, false, special);
                    if (!Arrays.equals(expected.get(i), got)) {
                        failures.add((v == 0 ? "from GGUF" : "from tokenizer.json") + (special ? ", special parsed" : ", special as text") + " '"
                                + LlamaCppTokenizerAgreementTest.escape(text) + "': llama.cpp " + Arrays.toString(expected.get(i))
                                + " " + LlamaCppTokenizerAgreementTest.pieces(vocab, expected.get(i)) + ", Vane " + Arrays.toString(got) + " "
                                + LlamaCppTokenizerAgreementTest.pieces(vocab, got));
                    }
                }
                String back = vane.get(0).decode(vane.get(0).encode(text, false, special));
                String plain = vocab.model().equals(Vocabulary.SPM) ? text.replace("\u2581", " ") : text;
                String want = special ? withoutControlTokens(vane.get(0), plain) : plain;
                if (!back.equals(want)) {
                    failures.add("round trip" + (special ? "" : " (special as text)") + " '" + LlamaCppTokenizerAgreementTest.escape(text)
                            + "' came back as '" + LlamaCppTokenizerAgreementTest.escape(back) + "'");
                }
            }
        }
        // BOS first exactly when the vocabulary asks for it.
        List<String> some = texts.subList(0, 8);
        List<int[]> withBos = llama.tokenize(gguf, some, true, true);
        for (int i = 0; i < some.size(); i++) {
            int[] got = vane.get(0).encode(some.get(i), vocab.addBos(), true);
            if (!Arrays.equals(withBos.get(i), got)) failures.add("with BOS '" + some.get(i) + "': llama.cpp " + Arrays.toString(withBos.get(i)) + ", Vane " + Arrays.toString(got));
        }
        // Every token: its bytes in decoded text and whether it ends generation, as llama.cpp loaded the vocabulary.
        List<LlamaCppText.Piece> pieces = llama.pieces(gguf, false);
        assertEquals(vocab.size(), pieces.size(), "llama.cpp's vocabulary size");
        int eog = 0;
        for (int id = 0; id < pieces.size(); id++) {
            LlamaCppText.Piece p = pieces.get(id);
            for (Tokenizer t : vane) {
                if (!Arrays.equals(p.bytes(), t.tokenBytes(id))) {
                    failures.add("token " + id + " '" + LlamaCppTokenizerAgreementTest.escape(vocab.tokens().get(id)) + "' (llama.cpp attributes " + p.attributes()
                            + "): llama.cpp bytes " + Arrays.toString(p.bytes()) + ", Vane " + Arrays.toString(t.tokenBytes(id)));
                }
                if (p.endsGeneration() != t.isEndOfGeneration(id)) {
                    failures.add("token " + id + " '" + vocab.tokens().get(id) + "': llama.cpp " + (p.endsGeneration() ? "ends" : "does not end") + " generation, Vane disagrees");
                }
            }
            if (p.endsGeneration()) eog++;
        }
        assertTrue(eog > 0, "no token ends generation");
        if (!failures.isEmpty()) {
            fail(failures.size() + " disagreements with llama.cpp on " + name + ":\n" + String.join("\n", failures.subList(0, Math.min(60, failures.size()))));
        }
        familyChecks(name, vocab, vane.get(0));
        // The format's stop tokens are single tokens of this vocabulary, and llama.cpp ends generation at each.
        int[] stops = chat.stopTokenIds(vane.get(0));
        assertEquals(chat.stopTokens().size(), stops.length, chat + "'s stop tokens " + chat.stopTokens() + " in " + name);
        for (int id : stops) assertTrue(pieces.get(id).endsGeneration(), vocab.tokens().get(id) + " ends generation in llama.cpp");
    }

    // The chat format of each family: the one its own template (tokenizer_config.json) stands for, where the package ships one.
    static ChatTemplate chatTemplate(String name) throws java.io.IOException {
        Path config = LlamaCppTokenizerAgreementTest.vocabularyFile(name).resolveSibling("tokenizer_config.json");
        if (Json.parse(Files.readString(config)) instanceof Map<?, ?> m && m.get("chat_template") instanceof String jinja) {
            ChatTemplate t = ChatTemplate.detect(jinja);
            assertEquals(switch (name) {
                case "qwen3" -> ChatTemplate.CHATML;
                case "gemma3" -> ChatTemplate.GEMMA;
                case "llama3" -> ChatTemplate.LLAMA3;
                default -> t;
            }, t, name + "'s template");
            return t;
        }
        return switch (name) {
            case "gptoss" -> ChatTemplate.GPT_OSS;
            case "llama3" -> ChatTemplate.LLAMA3;
            case "llama2" -> ChatTemplate.LLAMA2_SYS_STRIP;
            default -> throw new AssertionError(name + "'s tokenizer_config.json holds no chat template");
        };
    }

    // What decode should give back from text with special tokens parsed: the text without its control
    // tokens, cut out longest first as encode takes them (by the tokenizer's own types, which
    // llama.cpp's retyping by text changed).
    static String withoutControlTokens(Tokenizer t, String text) {
        List<Object> parts = t instanceof BpeTokenizer b ? b.specialParts(text) : ((SpmTokenizer) t).specialParts(text);
        StringBuilder s = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof String str) s.append(str);
            else if (type(t, (Integer) part) != SpecialTokens.TYPE_CONTROL) s.append(new String(t.tokenBytes((Integer) part), StandardCharsets.UTF_8));
        }
        return s.toString();
    }

    static int type(Tokenizer t, int id) {
        return t instanceof BpeTokenizer b ? b.type(id) : ((SpmTokenizer) t).type(id);
    }

    // The GGUF vocabulary llama.cpp's converter writes for each family.
    static void checkConversion(String name, Vocabulary v) {
        switch (name) {
            case "qwen3" -> {
                assertEquals(Vocabulary.BPE, v.model());
                assertEquals("qwen2", v.pre());
                assertFalse(v.addBos());
                assertEquals("<|im_end|>", v.tokens().get(v.eos()));
                assertEquals(-1, v.bos());
            }
            case "gemma3" -> {
                assertEquals(Vocabulary.SPM, v.model());
                assertFalse(v.addSpacePrefix(), "Gemma puts no space before the text");
                assertTrue(v.addBos());
                assertEquals("<bos>", v.tokens().get(v.bos()));
                assertEquals("<end_of_turn>", v.tokens().get(v.eos()));
                assertEquals(262145, v.size());
                int[] types = v.types();
                assertEquals(SpecialTokens.TYPE_CONTROL, types[v.tokens().indexOf("<start_of_turn>")]);
                assertEquals(SpecialTokens.TYPE_USER_DEFINED, types[v.tokens().indexOf("\n\n")]);
                assertEquals(SpecialTokens.TYPE_USER_DEFINED, types[v.tokens().indexOf("  ")], "user-defined '▁▁' is written as two spaces");
                assertEquals(SpecialTokens.TYPE_CONTROL, types[v.tokens().indexOf("<unused0>")], "<unused..> looks special to the converter");
                assertEquals(SpecialTokens.TYPE_BYTE, types[v.tokens().indexOf("<0x41>")]);
            }
            case "gptoss" -> {
                assertEquals(Vocabulary.BPE, v.model());
                assertEquals("gpt-4o", v.pre());
                assertFalse(v.addBos(), "gpt-oss's tokenizer adds no BOS");
                assertEquals("<|return|>", v.tokens().get(v.eos()));
                assertEquals("<|startoftext|>", v.tokens().get(v.bos()));
            }
            case "llama3" -> {
                assertEquals("llama-bpe", v.pre());
                assertTrue(v.addBos());
            }
            case "llama2" -> {
                assertEquals(Vocabulary.SPM, v.model());
                assertTrue(v.addSpacePrefix());
            }
            default -> fail("no conversion check for " + name);
        }
    }

    // What each family's prompts rely on, stated outright (llama.cpp agreed on all of it above).
    static void familyChecks(String name, Vocabulary v, Tokenizer t) {
        switch (name) {
            case "qwen3" -> {
                int imStart = v.tokens().indexOf("<|im_start|>"), imEnd = v.tokens().indexOf("<|im_end|>"), think = v.tokens().indexOf("<think>");
                assertArrayEquals(new int[] {imStart}, t.encode("<|im_start|>", false));
                assertTrue(t.encode("<|im_start|>", false, false).length > 1, "a typed <|im_start|> is text without special parsing");
                assertArrayEquals(new int[] {think}, t.encode("<think>", false, false), "<think> is user-defined: one token even as text");
                assertTrue(t.isEndOfGeneration(imEnd));
                assertTrue(t.isEndOfGeneration(v.tokens().indexOf("<|endoftext|>")));
                assertFalse(t.isEndOfGeneration(imStart));
                assertEquals(5, t.encode("12345", false).length, "Qwen splits digits one by one");
            }
            case "gemma3" -> {
                assertArrayEquals(new int[] {v.tokens().indexOf("<start_of_turn>")}, t.encode("<start_of_turn>", false));
                assertTrue(t.isEndOfGeneration(v.tokens().indexOf("<end_of_turn>")));
                assertTrue(t.isEndOfGeneration(v.tokens().indexOf("<eos>")));
                assertArrayEquals(new int[] {v.bos()}, Arrays.copyOf(t.encode("Hi", true), 1));
                assertEquals(" Hi", t.decode(t.encode(" Hi", false)), "no space prefix to take off");
            }
            case "gptoss" -> {
                for (String eog : List.of("<|return|>", "<|call|>", "<|endoftext|>")) assertTrue(t.isEndOfGeneration(v.tokens().indexOf(eog)), eog);
                int end = v.tokens().indexOf("<|end|>"), start = v.tokens().indexOf("<|start|>");
                assertFalse(t.isEndOfGeneration(end), "<|end|> closes a harmony message, the model goes on");
                assertEquals("<|start|>", new String(t.tokenBytes(start), StandardCharsets.UTF_8), "harmony markers stay in decoded text");
                assertArrayEquals(new int[] {start}, t.encode("<|start|>", false, false), "harmony markers are user-defined: taken whole even as text");
                assertEquals(0, t.tokenBytes(v.tokens().indexOf("<|return|>")).length);
            }
            default -> { }
        }
    }

    // The shared text set, this set, the vocabulary's own special tokens in context, and seeded random mixes.
    static List<String> texts(Vocabulary v) {
        List<String> out = new ArrayList<>(LlamaCppTokenizerAgreementTest.TEXTS);
        out.addAll(TEXTS);
        List<String> specials = new ArrayList<>();
        int[] types = v.types();
        SplittableRandom random = new SplittableRandom(13);
        List<Integer> ids = new ArrayList<>();
        for (int id = 0; id < v.size(); id++) if (SpecialTokens.isSpecial(types[id]) && !v.tokens().get(id).isEmpty()) ids.add(id);
        for (int i = 0; i < 24 && !ids.isEmpty(); i++) specials.add(v.tokens().get(ids.get(random.nextInt(ids.size()))));
        for (int id : new int[] {v.bos(), v.eos(), v.eot()}) if (id >= 0) specials.add(v.tokens().get(id));
        for (String s : specials) out.add("say " + s + " now" + s + s + "\n" + s);
        List<String> pool = new ArrayList<>(List.of(LlamaCppTokenizerAgreementTest.FRAGMENTS));
        pool.addAll(List.of("Hello", "World", "ΑΒΓ", "δε", "/", "//", "123", "４", "\n\n", "    ", "<", "|", ">", "<|", "|>", "▁▁"));
        pool.addAll(specials);
        for (int i = 0; i < 300; i++) {
            StringBuilder s = new StringBuilder();
            for (int n = random.nextInt(1, 16); n > 0; n--) s.append(pool.get(random.nextInt(pool.size())));
            out.add(s.toString());
        }
        return out;
    }
}
