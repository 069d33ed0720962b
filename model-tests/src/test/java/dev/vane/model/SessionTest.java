package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.attention.KvCache;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatTemplate;
import dev.vane.model.gguf.GgmlType;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session API on a generated F32 model: chunked prefill, step-by-step decode and truncation
 * all give the logits of one whole prefill; generation options, streaming, cancellation, stats,
 * reproducible sampling, independent and concurrent sessions, a full context, and misuse.
 * Logit tolerance: 1e-4 of the logits' spread — the same arithmetic grouped differently (GEMM
 * rows per call, attention tiles) changes only f32 rounding.
 */
class SessionTest {
    @TempDir
    static Path dir;
    static Model model;
    static final String PROMPT = "the old man said hello to the world";

    @BeforeAll
    static void load() throws Exception {
        Path file = dir.resolve("tiny.gguf");
        ModelGenerator.writeGguf(ModelSpec.tinyLlama(GgmlType.F32), file);
        model = Model.load(file);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static SessionOptions options(int chunk) {
        return SessionOptions.defaults(SessionTest.model.config()).withKvStorage(KvCache.Storage.F32).withChunkTokens(chunk);
    }

    private static void assertClose(float[] want, float[] got, String what) {
        double spread = 0;
        for (float v : want) spread = Math.max(spread, Math.abs(v));
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= 1e-4 * spread, what + ": logit " + i + " " + got[i] + " vs " + want[i]);
        }
    }

    @Test
    void chunkedStepwiseAndTruncatedRunsGiveTheSameLogits() throws Exception {
        check(model);
        // Requantized weights are held with Q, K, V (and gate, up) joined: the one-token path reads them from one row.
        try (Model joined = Model.load(dir.resolve("tiny.gguf"), WeightFormat.parse("f16"))) {
            check(joined);
        }
    }

    private static void check(Model model) {
        int[] ids = model.tokenizer().encode(PROMPT, true);
        float[] whole;
        try (Session s = model.newSession(options(256))) {
            whole = s.prefill(ids);
            assertEquals(ids.length, s.position());
            assertArrayEquals(ids, s.tokens());
        }
        try (Session s = model.newSession(options(3))) {
            assertClose(whole, s.prefill(ids), "prefill in chunks of 3");
        }
        try (Session s = model.newSession(options(256))) {
            float[] l = null;
            for (int id : ids) l = s.next(id);
            assertClose(whole, l, "one token at a time");
            s.truncate(4);
            assertEquals(4, s.position());
            assertClose(whole, s.prefill(java.util.Arrays.copyOfRange(ids, 4, ids.length)), "after truncating to 4 and running the rest");
        }
    }

    @Test
    void logprobsAreTheModelsOwnProbabilitiesOfEachDrawnToken() {
        int[] prompt = model.tokenizer().encode(PROMPT, true);
        List<GeneratedToken> seen = new ArrayList<>();
        try (Session s = model.newSession(options(256))) {
            s.generate(prompt, GenerationOptions.greedy(8).withIgnoreEos(true).withTopLogprobs(3), seen::add);
        }
        assertEquals(8, seen.size());
        int[] all = java.util.Arrays.copyOf(prompt, prompt.length + seen.size());
        for (int i = 0; i < seen.size(); i++) all[prompt.length + i] = seen.get(i).id();
        double[] scored;  // the same probabilities by another path: scoring the whole text at once, in double
        try (Session s = model.newSession(options(256))) {
            scored = s.logProbabilities(all);
        }
        for (int i = 0; i < seen.size(); i++) {
            GeneratedToken t = seen.get(i);
            assertEquals(scored[prompt.length + i - 1], t.logprob(), 1e-3, "token " + i);
            assertEquals(3, t.topLogprobs().size());
            assertEquals(t.id(), t.topLogprobs().get(0).id(), "greedy draws the most likely token");
            assertEquals(t.logprob(), t.topLogprobs().get(0).logprob(), 1e-6);
            assertTrue(t.topLogprobs().get(1).logprob() <= t.topLogprobs().get(0).logprob());
        }
        try (Session s = model.newSession(options(256))) {  // not asked for: none
            s.generate(prompt, GenerationOptions.greedy(2), t -> {
                assertTrue(Float.isNaN(t.logprob()) && t.topLogprobs().isEmpty());
                return true;
            });
        }
        assertThrows(IllegalArgumentException.class, () -> GenerationOptions.greedy(1).withTopLogprobs(21));
    }

    @Test
    void generationStreamsStopsAndReports() {
        try (Session s = model.newSession(options(256))) {
            List<GeneratedToken> seen = new ArrayList<>();
            GenerationResult r = s.generate(PROMPT, GenerationOptions.greedy(12).withIgnoreEos(true), t -> seen.add(t));
            assertEquals(GenerationResult.StopReason.MAX_TOKENS, r.stopReason());
            assertEquals(12, r.tokens().length);
            assertEquals(12, seen.size());
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < seen.size(); i++) {
                assertEquals(i, seen.get(i).index());
                assertEquals(r.tokens()[i], seen.get(i).id());
                text.append(seen.get(i).text());
            }
            assertTrue(r.text().startsWith(text.toString()), "the result's text is the streamed pieces (plus any held-back bytes)");
            assertEquals(model.tokenizer().encode(PROMPT, true).length, r.promptTokens());
            assertTrue(r.timeToFirstTokenMillis() > 0 && r.prefillTokensPerSecond() > 0 && r.decodeTokensPerSecond() > 0, r.toString());
            // The session continues from everything drawn: the last token is run at the start of the next call.
            assertEquals(r.promptTokens() + 11, s.position());
            int[] before = s.tokens();
            assertEquals(r.promptTokens() + 12, before.length);
            assertArrayEquals(r.tokens(), java.util.Arrays.copyOfRange(before, r.promptTokens(), before.length));

            int[] and = model.tokenizer().encode(" and", false);
            GenerationResult cancelled = s.generate(and, GenerationOptions.greedy(50).withIgnoreEos(true), t -> t.index() < 2);
            assertEquals(GenerationResult.StopReason.CANCELLED, cancelled.stopReason());
            assertEquals(3, cancelled.tokens().length);
            assertEquals(before.length + and.length + 2, s.position(), "the pending token, the prompt and two of three drawn are cached");
            int[] after = s.tokens();
            assertArrayEquals(before, java.util.Arrays.copyOf(after, before.length));
        }
    }

    @Test
    void continuingAfterTruncateUsesTheLogitsOfTheNewLastToken() {
        int[] ids = model.tokenizer().encode(PROMPT, true);
        float[] want;
        try (Session fresh = model.newSession(options(256))) {
            want = fresh.prefill(java.util.Arrays.copyOf(ids, 4));
        }
        try (Session s = model.newSession(options(256))) {
            s.prefill(ids);
            s.truncate(4);
            int[] drawn = s.generate(new int[0], GenerationOptions.greedy(1).withIgnoreEos(true), t -> true).tokens();
            float[] masked = want.clone();
            for (int e : Session.endOfGenerationTokens(model.tokenizer())) masked[e] = Float.NEGATIVE_INFINITY;
            assertEquals(Sampler.argmax(masked), drawn[0], "drawn from position 3's logits, not the truncated position's");
            s.logProbabilities(new int[] {300, 301, 302});  // scoring replaces the logits too
            int[] next = s.generate(new int[0], GenerationOptions.greedy(1).withIgnoreEos(true), t -> true).tokens();
            try (Session check = model.newSession(options(256))) {
                int[] all = s.tokens();
                float[] l = check.prefill(java.util.Arrays.copyOf(all, all.length - 1));
                for (int e : Session.endOfGenerationTokens(model.tokenizer())) l[e] = Float.NEGATIVE_INFINITY;
                assertEquals(Sampler.argmax(l), next[0]);
            }
        }
    }

    @Test
    void greedyEqualsArgmaxOfTheLogits() {
        try (Session a = model.newSession(options(256)); Session b = model.newSession(options(256))) {
            int[] gen = a.generate(PROMPT, GenerationOptions.greedy(8).withIgnoreEos(true)).tokens();
            float[] l = b.prefill(model.tokenizer().encode(PROMPT, true));
            for (int i = 0; i < 8; i++) {
                int[] end = Session.endOfGenerationTokens(model.tokenizer());
                for (int e : end) l[e] = Float.NEGATIVE_INFINITY;
                assertEquals(Sampler.argmax(l), gen[i], "step " + i);
                l = b.next(gen[i]);
            }
        }
    }

    @Test
    void seededSamplingIsReproducibleAndSessionsAreIndependent() throws Exception {
        GenerationOptions o = GenerationOptions.of(16, Sampling.defaults(5)).withIgnoreEos(true);
        int[] first, second;
        try (Session s = model.newSession(options(256))) {
            first = s.generate(PROMPT, o).tokens();
        }
        try (Session s = model.newSession(options(256)); Session other = model.newSession(options(256))) {
            other.prefill(model.tokenizer().encode("something else entirely", true));  // must not disturb s
            second = s.generate(PROMPT, o).tokens();
        }
        assertArrayEquals(first, second);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<int[]>> runs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                runs.add(pool.submit(() -> {
                    try (Session s = model.newSession(options(256))) {
                        return s.generate(PROMPT, o).tokens();
                    }
                }));
            }
            for (Future<int[]> f : runs) assertArrayEquals(first, f.get(), "a session on another thread, at the same time");
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void chatTurnsRenderTheModelsFormat() throws Exception {
        List<ChatMessage> turn = List.of(ChatMessage.system("be brief"), ChatMessage.user("hello there"));
        assertTrue(model.chatTemplate().isEmpty(), "the generated file names no chat format");
        try (Session s = model.newSession(options(256))) {
            assertThrows(IllegalStateException.class, () -> s.chat(turn, GenerationOptions.greedy(4), t -> true));
        }
        Path withTemplate = dir.resolve("chatml.gguf");
        GgufEdits.copy(dir.resolve("tiny.gguf"), withTemplate,
                java.util.Map.of("tokenizer.chat_template", "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"),
                java.util.Map.of());
        try (Model m = Model.load(withTemplate); Session a = m.newSession(options(256)); Session b = m.newSession(options(256))) {
            assertEquals(ChatTemplate.CHATML, m.chatTemplate().orElseThrow());
            GenerationOptions o = GenerationOptions.greedy(6).withIgnoreEos(true);
            int[] viaChat = a.chat(turn, o, t -> true).tokens();
            String rendered = "<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nhello there<|im_end|>\n<|im_start|>assistant\n";
            assertEquals(rendered, ChatTemplate.CHATML.render(turn, true));
            assertArrayEquals(b.generate(rendered, o).tokens(), viaChat);
        }
    }

    @Test
    void chatWithToolsUsesTheModelsChatFormatAndEncodesContentsAsText() throws Exception {
        // The generated file has no template: chatFormat() is ChatML, as llama.cpp falls back (no vane-jinja on this class path).
        assertEquals(ChatTemplate.CHATML, model.chatFormat());
        assertTrue(model.chatTemplateSource().isEmpty());
        List<ChatMessage> turn = List.of(ChatMessage.system("be brief"), ChatMessage.user("hello there"));
        GenerationOptions o = GenerationOptions.greedy(4).withIgnoreEos(true);
        try (Session a = model.newSession(options(256)); Session b = model.newSession(options(256))) {
            GenerationResult viaChat = a.chat(turn, List.of(), o, t -> true);
            assertArrayEquals(b.generate(ChatTemplate.CHATML.render(turn, true), o).tokens(), viaChat.tokens());
            dev.vane.model.chat.ToolSpec tool = new dev.vane.model.chat.ToolSpec("f", "d", "{\"type\": \"object\"}");
            var e = assertThrows(IllegalArgumentException.class, () -> a.chat(turn, List.of(tool), o, t -> true));
            assertTrue(e.getMessage().contains("renders no tools"), e.getMessage());
        }
        try (Session s = model.newSession(options(256))) {
            // Each content goes through encode(segments): its prompt is the segments' tokens after the BOS.
            var prompt = ChatTemplate.CHATML.render(turn, List.of(), true);
            int[] expected = model.tokenizer().encode(prompt.segments(), true);
            assertEquals(expected.length, s.chat(ChatTemplate.CHATML, turn, List.of(), o, t -> true).promptTokens());
        }
    }

    @Test
    void aFullContextIsAClearErrorAndAStopReason() {
        try (Session s = model.newSession(options(256).withContextLength(20))) {
            int[] many = new int[21];
            java.util.Arrays.fill(many, 300);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.prefill(many));
            assertTrue(e.getMessage().contains("context is full"), e.getMessage());
            assertEquals(0, s.position(), "nothing was added");
            GenerationResult r = s.generate(new int[] {1, 300, 301}, GenerationOptions.greedy(100).withIgnoreEos(true), t -> true);
            assertEquals(GenerationResult.StopReason.CONTEXT_FULL, r.stopReason());
            assertEquals(20, s.position());
            assertEquals(18, r.tokens().length);
        }
    }

    @Test
    void misuseGetsClearExceptions() throws Exception {
        Session s = model.newSession(options(256));
        assertThrows(IllegalArgumentException.class, () -> s.prefill(new int[] {1, model.config().vocab()}));
        assertThrows(IllegalArgumentException.class, () -> s.prefill(new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> s.prefill(new int[0]));
        assertEquals(0, s.position(), "failed calls add nothing");
        assertThrows(IllegalArgumentException.class, () -> s.generate(new int[0], GenerationOptions.greedy(3), t -> true));
        int open = model.openHandles();
        assertTrue(open >= 1, "the open session is counted");
        s.close();
        assertEquals(open - 1, model.openHandles(), "a closed session is not");  // closing the model while it runs: ModelCloseTest
        assertThrows(IllegalStateException.class, () -> s.prefill(new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> GenerationOptions.greedy(-1));
        assertThrows(IllegalArgumentException.class, () -> new SessionOptions(0, KvCache.Storage.F16, 16));
    }

    @Test
    void matricesTooNarrowForTheGroupFallBackToSmallerGroups() throws Exception {
        // d 192: Q/K/V/O rows (192 wide) cannot hold 128-groups; the FFN's down (384 wide) can.
        Path file = dir.resolve("d192.gguf");
        ModelGenerator.writeGguf(new ModelSpec(192, 1, 4, 2, 384, 512, 0, 0, 256, 10000f, 1e-5f, GgmlType.F32, ModelSpec.TokenizerKind.SPM, 5), file);
        try (Model m = Model.load(file, WeightFormat.parse("int4-g128")); Session s = m.newSession(options(256))) {
            java.util.Map<dev.vane.quant.QuantFormat, Long> held = m.heldFormats();
            assertTrue(held.containsKey(dev.vane.quant.QuantFormat.INT4_SYM_G128) && held.containsKey(dev.vane.quant.QuantFormat.INT4_SYM_G64),
                    held.toString());
            assertTrue(s.prefill(m.tokenizer().encode(PROMPT, true)).length == 512);
        }
    }

    @Test
    void q4KMatricesAreHeldRepacked() throws Exception {
        // d 256: every matrix takes Q4_K's 256-column blocks, and every row count is a multiple of
        // 8, so each is held as Q4_K_X8 (Q/K/V and gate/up joined, as Q4_0_X8 is).
        Path file = dir.resolve("d256.gguf");
        ModelGenerator.writeGguf(new ModelSpec(256, 1, 4, 2, 512, 512, 0, 0, 256, 10000f, 1e-5f, GgmlType.F32, ModelSpec.TokenizerKind.SPM, 6), file);
        try (Model m = Model.load(file, WeightFormat.parse("q4_k")); Session s = m.newSession(options(256))) {
            java.util.Map<dev.vane.quant.QuantFormat, Long> held = m.heldFormats();
            assertTrue(held.containsKey(dev.vane.quant.QuantFormat.Q4_K_X8) && !held.containsKey(dev.vane.quant.QuantFormat.Q4_K), held.toString());
            float[] logits = s.prefill(m.tokenizer().encode(PROMPT, true));
            assertTrue(logits.length == 512);
            for (float v : logits) assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void q6KMatricesAreHeldRepacked() throws Exception {
        // The same with Q6_K: each matrix held as Q6_K_X8.
        Path file = dir.resolve("d256-q6.gguf");
        ModelGenerator.writeGguf(new ModelSpec(256, 1, 4, 2, 512, 512, 0, 0, 256, 10000f, 1e-5f, GgmlType.F32, ModelSpec.TokenizerKind.SPM, 6), file);
        try (Model m = Model.load(file, WeightFormat.parse("q6_k")); Session s = m.newSession(options(256))) {
            java.util.Map<dev.vane.quant.QuantFormat, Long> held = m.heldFormats();
            assertTrue(held.containsKey(dev.vane.quant.QuantFormat.Q6_K_X8) && !held.containsKey(dev.vane.quant.QuantFormat.Q6_K), held.toString());
            float[] logits = s.prefill(m.tokenizer().encode(PROMPT, true));
            assertTrue(logits.length == 512);
            for (float v : logits) assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void requantizedWeightsStayCloseToTheFile() throws Exception {
        int[] ids = model.tokenizer().encode(PROMPT, true);
        float[] exact;
        try (Session s = model.newSession(options(256))) {
            exact = s.prefill(ids);
        }
        for (String format : new String[] {"f16", "fp8", "q8_0", "int4"}) {
            try (Model m = Model.load(dir.resolve("tiny.gguf"), WeightFormat.parse(format));
                 Session s = m.newSession(options(256))) {
                float[] got = s.prefill(ids);
                double dot = 0, a = 0, b = 0;
                for (int i = 0; i < got.length; i++) {
                    dot += (double) got[i] * exact[i];
                    a += (double) got[i] * got[i];
                    b += (double) exact[i] * exact[i];
                }
                double cos = dot / Math.sqrt(a * b);
                // 1 - cos measured on this file: f16 1.3e-7, q8_0 7.8e-5, fp8 1.3e-3, int4 1.1e-2; bounds about 3x that.
                double maxLoss = switch (format) { case "f16" -> 5e-7; case "q8_0" -> 2.5e-4; case "fp8" -> 4e-3; default -> 3.5e-2; };
                assertTrue(1 - cos <= maxLoss, format + ": 1 - cosine with the file's logits = " + (1 - cos) + " > " + maxLoss);
                assertEquals(format.equals("int4") ? "int4_sym_g32" : format.equals("fp8") ? "fp8_e4m3_row" : format, m.weightFormat().toString());
            }
        }
    }

    @Test
    void iq4XsMatricesAreHeldRepacked() throws Exception {
        // As q4KMatricesAreHeldRepacked, for IQ4_XS: each matrix is held as IQ4_XS_X8.
        Path file = dir.resolve("d256-iq4xs.gguf");
        ModelGenerator.writeGguf(new ModelSpec(256, 1, 4, 2, 512, 512, 0, 0, 256, 10000f, 1e-5f, GgmlType.F32, ModelSpec.TokenizerKind.SPM, 7), file);
        try (Model m = Model.load(file, WeightFormat.parse("iq4_xs")); Session s = m.newSession(options(256))) {
            java.util.Map<dev.vane.quant.QuantFormat, Long> held = m.heldFormats();
            assertTrue(held.containsKey(dev.vane.quant.QuantFormat.IQ4_XS_X8) && !held.containsKey(dev.vane.quant.QuantFormat.IQ4_XS), held.toString());
            float[] logits = s.prefill(m.tokenizer().encode(PROMPT, true));
            assertTrue(logits.length == 512);
            for (float v : logits) assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void iq4NlMatricesAreHeldRepacked() throws Exception {
        // Every row count is a multiple of 8, so each IQ4_NL matrix is held as IQ4_NL_X8.
        Path file = dir.resolve("d256-iq4nl.gguf");
        ModelGenerator.writeGguf(new ModelSpec(256, 1, 4, 2, 512, 512, 0, 0, 256, 10000f, 1e-5f, GgmlType.F32, ModelSpec.TokenizerKind.SPM, 6), file);
        try (Model m = Model.load(file, WeightFormat.parse("iq4_nl")); Session s = m.newSession(options(256))) {
            java.util.Map<dev.vane.quant.QuantFormat, Long> held = m.heldFormats();
            assertTrue(held.containsKey(dev.vane.quant.QuantFormat.IQ4_NL_X8) && !held.containsKey(dev.vane.quant.QuantFormat.IQ4_NL), held.toString());
            float[] logits = s.prefill(m.tokenizer().encode(PROMPT, true));
            assertTrue(logits.length == 512);
            for (float v : logits) assertTrue(Float.isFinite(v));
        }
    }
}
