package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import dev.vane.attention.KvCache;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model Vane ships in vane-embedded-model (tiny-moe-kjv.gguf, trained by
 * tools/train-tiny-moe/train.py: a Mixtral-style mixture of experts on the King James Bible)
 * against llama.cpp (de.kherud:llama) on the same file: the checksum committed next to it, the
 * tokenization of the held-out text, and the greedy continuation of a fixed prompt (both ignoring
 * end-of-generation tokens).
 */
class EmbeddedModelTest {
    private static final String RESOURCE = "/dev/vane/embedded/tiny-moe-kjv.gguf";
    private static final String PROMPT = "And God said";
    private static final int STEPS = 48;
    /** Tokens train.py counted in heldout.txt (report.json's heldout_tokens), each verse encoded on its own. */
    private static final int HELDOUT_TOKENS = 45420;

    @TempDir
    static Path dir;

    static Path file;

    @BeforeAll
    static void copyResource() throws Exception {
        file = dir.resolve("tiny-moe-kjv.gguf");
        try (InputStream in = EmbeddedModelTest.class.getResourceAsStream(RESOURCE)) {
            assertNotNull(in, RESOURCE + " is not on the class path");
            Files.copy(in, file);
        }
    }

    @Test
    void checksumMatchesTheCommittedOne() throws Exception {
        String expected;
        try (InputStream in = EmbeddedModelTest.class.getResourceAsStream(RESOURCE + ".sha256")) {
            assertNotNull(in, RESOURCE + ".sha256 is not on the class path");
            expected = new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\\s+")[0];
        }
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        assertEquals(expected, HexFormat.of().formatHex(digest));
        assertTrue(Files.size(file) < 10_000_000, "the embedded model must stay under 10 MB, is " + Files.size(file));
    }

    @Test
    void shapeIsMixtralStyle() throws Exception {
        try (Model model = Model.load(file)) {
            ModelConfig c = model.config();
            assertEquals("llama", c.architecture());
            assertTrue(c.experts() >= 4 && c.experts() <= 8 && c.expertsUsed() == 2, c.toString());
        }
    }

    /** Vane's ids for the held-out text equal llama.cpp's and the count the training script reported. */
    @Test
    void heldOutTextTokenizesAsLlamaCppAndTheTrainingScript() throws Exception {
        String text = Files.readString(Path.of(System.getProperty("vane.heldout.file", "../tools/train-tiny-moe/heldout.txt")));
        int[] vane;
        try (Model model = Model.load(file)) {
            vane = model.tokenizer().encode(text, false);
        }
        int[] llama;
        try (LlamaModel m = new LlamaModel(params())) {
            llama = m.encode(text);
        }
        assertEquals(HELDOUT_TOKENS, vane.length, "Vane's token count of heldout.txt");
        assertArrayEquals(llama, vane, "held-out text token ids");
    }

    /**
     * The greedy continuations must be equal ({@link GreedyAgreement}): except after a
     * step where Vane's two best logits are within the logit tolerance (a near-tie either engine may
     * break either way; text shows a choice up to 3 steps late).
     */
    @Test
    void greedyContinuationMatchesLlamaCpp() throws Exception {
        GreedyAgreement.Steps steps;
        double tol;
        String generated;
        try (Model model = Model.load(file);
             Session session = model.newSession(SessionOptions.defaults(model.config()).withKvStorage(KvCache.Storage.F16))) {
            float[] logits = session.prefill(model.tokenizer().encode(PROMPT, true));
            tol = 2e-3 * GreedyAgreement.std(logits);
            steps = GreedyAgreement.vane(model, session, logits, STEPS);
            // The public generation API gives the same text.
            try (Session s = model.newSession()) {
                generated = s.generate(PROMPT, GenerationOptions.greedy(STEPS).withIgnoreEos(true), t -> true).text();
            }
        }
        String vane = steps.text();
        assertEquals(vane, generated, "Session.generate against the step-by-step loop");

        String llama;
        try (LlamaModel m = new LlamaModel(params())) {
            llama = GreedyAgreement.llama(m, PROMPT, STEPS);
        }
        System.out.println("tiny-moe-kjv, greedy after \"" + PROMPT + "\":\n vane:  " + vane + "\n llama: " + llama);
        GreedyAgreement.check(steps, llama, tol, 32);
        assertTrue(vane.matches("[A-Za-z ,.;:'!?()\\n-]+") && vane.contains(" the "), "not English text: " + vane);
    }

    private static ModelParameters params() {
        return new ModelParameters().setModel(file.toString()).setThreads(2).setCtxSize(256).setGpuLayers(0).disableLog();
    }

}
