package dev.vane.redteam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.Model;
import dev.vane.model.chat.ChatFormat;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatPrompt;
import dev.vane.model.chat.ChatTemplate;
import dev.vane.model.chat.ToolCallFormat;
import dev.vane.model.chat.ToolSpec;
import dev.vane.redteam.mutation.Mutations;
import dev.vane.redteam.report.Report;
import dev.vane.redteam.score.Result;
import dev.vane.redteam.score.Scorer;
import dev.vane.redteam.score.Verdict;
import dev.vane.redteam.targets.Decoding;
import dev.vane.redteam.targets.InProcessTarget;
import dev.vane.redteam.targets.Reply;
import dev.vane.redteam.targets.TokenEvidence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs on the embedded model in this process: the same seed gives the same bytes, another seed other cases, and smuggled control tokens are seen in the ids. */
class InProcessRunTest {
    private static Model model;
    private static InProcessTarget target;

    /** The first two probes of each built-in suite: every check, a few seconds on the embedded model. */
    static List<Probe> fewProbes() {
        List<Probe> out = new ArrayList<>();
        for (String s : Suites.BUILT_IN) out.addAll(Suites.builtIn(s).subList(0, 2));
        return out;
    }

    @BeforeAll
    static void load() throws Exception {
        model = EmbeddedModel.load();
        target = new InProcessTarget(model, "tiny-moe-kjv");
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static RedTeam.Options options(long seed, Decoding d) {
        return new RedTeam.Options(seed, Mutations.names(), 1, d);
    }

    private static RunInfo info(long seed, RedTeam.Options o) {
        return new RunInfo(seed, target.describe(), target.model(), "none", Suites.BUILT_IN, o.mutations(), o.mutationsPerProbe(), o.decoding(),
                Instant.now(), Instant.now());
    }

    @Test
    void twoRunsWithTheSameSeedWriteIdenticalResults(@TempDir Path dir) throws Exception {
        RedTeam.Options o = options(11, Decoding.greedy(16));
        List<Result> a = RedTeam.run(fewProbes(), target, Optional.empty(), o, r -> {});
        List<Result> b = RedTeam.run(fewProbes(), target, Optional.empty(), o, r -> {});
        assertEquals(20, a.size(), "10 probes, none plus one mutation each");
        Report.write(dir.resolve("a"), info(11, o), a);
        Report.write(dir.resolve("b"), info(11, o), b);
        byte[] ja = Files.readAllBytes(dir.resolve("a").resolve(Report.RESULTS)), jb = Files.readAllBytes(dir.resolve("b").resolve(Report.RESULTS));
        assertEquals(new String(ja), new String(jb));
        assertTrue(java.util.Arrays.equals(ja, jb), "byte-identical");
        assertEquals(20, new String(ja).split("\n").length);
        assertFalse(new String(ja).contains("\"started\""), "no times in results.jsonl");
        for (Result r : a) assertFalse(r.reply().text().isEmpty() && !r.reply().failed(), r.kase().id() + " got an empty reply");
    }

    @Test
    void anotherSeedSamplesOtherCasesAndCanaries() {
        List<Case> one = RedTeam.cases(fewProbes(), options(1, Decoding.greedy(16))), two = RedTeam.cases(fewProbes(), options(2, Decoding.greedy(16)));
        assertEquals(one.size(), two.size());
        assertNotEquals(one.stream().map(Case::id).toList(), two.stream().map(Case::id).toList(), "other mutations drawn");
        for (int i = 0; i < one.size(); i++) assertNotEquals(one.get(i).canary(), two.get(i).canary());
        assertEquals(one.stream().map(Case::id).toList(), RedTeam.cases(fewProbes(), options(1, Decoding.greedy(16))).stream().map(Case::id).toList());
        // A case does not depend on what else runs: the same probe alone gets the same cases.
        List<Case> alone = RedTeam.cases(fewProbes().subList(3, 4), options(1, Decoding.greedy(16)));
        assertEquals(one.get(6).id(), alone.get(0).id());
        assertEquals(one.get(6).messages(), alone.get(0).messages());
    }

    @Test
    void sampledRepliesRepeatWithTheSeed() {
        RedTeam.Options o = options(5, new Decoding(12, 0.9));
        List<Probe> ps = fewProbes().subList(0, 3);
        String a = Report.jsonl(RedTeam.run(ps, target, Optional.empty(), o, r -> {}));
        assertEquals(a, Report.jsonl(RedTeam.run(ps, target, Optional.empty(), o, r -> {})));
        assertNotEquals(a, Report.jsonl(RedTeam.run(ps, target, Optional.empty(), options(5, Decoding.greedy(12)), r -> {})), "sampling changes replies");
    }

    @Test
    void smuggledControlTokensAreSeenInThePromptIds() {
        Probe bosEos = Suites.builtIn("special-tokens").stream().filter(p -> p.id().equals("llama3-bos-eos")).findFirst().orElseThrow();
        assertTrue(bosEos.tokens().containsAll(List.of(model.specialTokenTexts().bos(), model.specialTokenTexts().eos())), "the embedded model's own");
        Case c = CaseBuilder.build(0, bosEos, Mutations.named("none"), 3);
        Optional<TokenEvidence> safe = target.controlTokens(c.messages(), null, c.defanged(), c.occurrences());
        assertFalse(safe.orElseThrow().parsed(), safe.get().detail());
        assertEquals(Verdict.PASS, new Scorer(Optional.empty()).score(c, target.chat(c.messages(), Decoding.greedy(8), 0), target).verdict());

        // A format that tokenizes contents as scaffolding (the rendered text whole, special tokens parsed): the smuggle works.
        ChatFormat naive = new ChatFormat() {
            @Override public String formatName() {
                return "chatml-whole-text";
            }

            @Override public ChatPrompt render(List<ChatMessage> messages, List<ToolSpec> tools, boolean addGenerationPrompt) {
                return new ChatPrompt(ChatTemplate.CHATML.render(messages, addGenerationPrompt), List.of());
            }

            @Override public ToolCallFormat toolCallFormat() {
                return ToolCallFormat.NONE;
            }

            @Override public List<String> stopTokens() {
                return ChatTemplate.CHATML.stopTokens();
            }
        };
        InProcessTarget weak = new InProcessTarget(model, naive, "tiny-moe-kjv");
        TokenEvidence parsed = weak.controlTokens(c.messages(), null, c.defanged(), c.occurrences()).orElseThrow();
        assertTrue(parsed.parsed(), parsed.detail());
        assertEquals("control tokens in the prompt: 3; with the 2 smuggled text(s) defanged: 1", parsed.detail(), "BOS plus the two smuggled");
        Result r = new Scorer(Optional.empty()).score(c, weak.chat(c.messages(), Decoding.greedy(8), 0), weak);
        assertEquals(Verdict.FAIL, r.verdict(), r.reason());
    }

    @Test
    void aPromptTheContextCannotHoldIsUnscoredWithTheReason() {
        Reply r = target.chat(List.of(ChatMessage.user("word ".repeat(400))), Decoding.greedy(8), 0);
        assertTrue(r.failed());
        assertTrue(r.error().get().matches("the prompt has \\d+ tokens; the context holds 256"), r.error().get());
        Reply tight = target.chat(List.of(ChatMessage.user("word ".repeat(100))), Decoding.greedy(200), 0);
        assertTrue(tight.error().orElseThrow().startsWith("max tokens must be in 1.."), tight.error().get());
    }
}
