package dev.vane.guard.moderation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.guard.Action;
import dev.vane.guard.Direction;
import dev.vane.guard.Policy;
import dev.vane.guard.PolicyLoader;
import dev.vane.guard.Rule;
import dev.vane.guard.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** llama-guard rules in policy files: options, per-category actions, exclusions, their errors, and the default opener on a real model file. */
class ModerationPolicyLoaderTest {
    record Opened(Path model, Set<HazardCategory> categories) {}

    final List<Opened> opened = new ArrayList<>();
    final ModeratorOpener fake = (model, categories) -> {
        opened.add(new Opened(model, categories));
        return ScriptedModerator.keywords();
    };

    static final String POLICY = """
            blockMessage: "Sorry."
            rules:
              - name: email
                detector: email
                action: redact
              - name: moderation
                detector: llama-guard
                model: models/guard.gguf
                action: block
                categories: {S6: allow, s10: redact}
                exclude: [S13, S14]
                appliesTo: [input, output]
            """;

    @Test void aLlamaGuardRule() {
        Policy p = PolicyLoader.parse(POLICY, "policy.yaml", List.of(), fake);
        assertEquals(List.of(new Opened(Path.of("").toAbsolutePath().resolve("models/guard.gguf"),
                EnumSet.complementOf(EnumSet.of(HazardCategory.S13, HazardCategory.S14)))), opened);
        Rule r = p.rules().get(1);
        assertEquals("llama-guard", r.detector().name());
        assertEquals(Action.BLOCK, r.action());
        assertEquals(Map.of("S6", Action.ALLOW, "S10", Action.REDACT), r.categoryActions(), "codes are normalized");
        assertEquals(Set.of(Direction.INPUT, Direction.OUTPUT), r.directions());
        Verdict knife = p.checkInput("a knife");
        assertTrue(knife.blocked());
        assertEquals("Sorry.", knife.text());
        assertEquals(Action.ALLOW, p.checkInput("ask a doctor").action());
        assertEquals("[S10]", p.checkOutput("q", "a slur").text());
        p.close();  // the fake opener's moderators belong to the caller: nothing to close
    }

    @Test void relativeModelPathsAreResolvedAgainstThePolicyFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("policy.yaml"), POLICY);
        PolicyLoader.load(file, List.of(), fake);
        assertEquals(dir.toAbsolutePath().resolve("models/guard.gguf"), opened.getFirst().model());
    }

    @Test void errorsNameTheLineAndWhatWasExpected() {
        String head = "rules:\n  - name: m\n    detector: llama-guard\n    action: block\n";
        assertError("policy.yaml line 3: rule 'm': detector 'llama-guard' needs a 'model' (the guard model's GGUF file)", head);
        assertError("policy.yaml line 7: rule 'm': unknown category 'S15' in 'categories'; expected a Llama Guard 3 code S1..S14",
                head + "    model: g.gguf\n    categories:\n      S15: block\n");
        assertError("policy.yaml line 6: rule 'm' category S6: unknown action 'deny'; expected allow, redact or block",
                head + "    model: g.gguf\n    categories: {S6: deny}\n");
        assertError("policy.yaml line 6: rule 'm': category S6 appears twice in 'categories'", head + "    model: g.gguf\n    categories: {S6: allow, s6: block}\n");
        assertError("policy.yaml line 6: rule 'm': unknown category 'Hate' in 'exclude'; expected a Llama Guard 3 code S1..S14",
                head + "    model: g.gguf\n    exclude: [Hate]\n");
        assertError("policy.yaml line 7: rule 'm': S6 is excluded (the model is never asked about it) but has an action in 'categories'",
                head + "    model: g.gguf\n    exclude: S6\n    categories: {S6: allow}\n");
        assertError("policy.yaml line 6: rule 'm': 'exclude' leaves no category to ask the model about; keep at least one of S1..S14",
                head + "    model: g.gguf\n    exclude: [S1, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11, S12, S13, S14]\n");
        assertError("policy.yaml line 6: rule 'm': unknown key 'words' for detector 'llama-guard'", head + "    model: g.gguf\n    words: [x]\n");
        assertError("policy.yaml line 6: 'categories' must be a mapping", head + "    model: g.gguf\n    categories: [S1]\n");
        assertError("policy.yaml line 5: rule 'e': unknown key 'categories' for detector 'email'",
                "rules:\n  - name: e\n    detector: email\n    action: block\n    categories: {S1: block}\n");
        assertTrue(opened.isEmpty(), "nothing is opened for a refused rule");
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> PolicyLoader.parse("rules:\n  - {name: x, detector: guard, action: block}\n", "p"));
        assertTrue(unknown.getMessage().contains("llama-guard"), "the known detectors listed include llama-guard: " + unknown.getMessage());
    }

    @Test void aModelThatCannotBeOpenedNamesTheRuleAndTheFile() {
        ModeratorOpener failing = (model, categories) -> {
            throw new IOException("no such file");
        };
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> PolicyLoader.parse("rules:\n  - name: m\n    detector: llama-guard\n    action: block\n    model: /nowhere/g.gguf\n", "p.yaml", List.of(), failing));
        assertEquals("p.yaml line 5: rule 'm': cannot open guard model /nowhere/g.gguf: no such file", e.getMessage());
        ModeratorOpener refusing = (model, categories) -> {
            throw new IllegalArgumentException("not a Llama Guard 3 model: ...");
        };
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> PolicyLoader.parse("rules:\n  - name: m\n    detector: llama-guard\n    action: block\n    model: g.gguf\n", "p.yaml", List.of(), refusing));
        assertTrue(bad.getMessage().startsWith("p.yaml line 5: rule 'm': cannot use guard model "), bad.getMessage());
        assertTrue(bad.getMessage().endsWith("g.gguf: not a Llama Guard 3 model: ..."), bad.getMessage());
    }

    @Test void theDefaultOpenerRunsTheModelFileAndThePolicyClosesIt(@TempDir Path dir) throws IOException {
        GuardTestModel.write(dir.resolve("guard-test.gguf"));
        Path file = Files.writeString(dir.resolve("policy.yaml"), """
                rules:
                  - name: in
                    detector: llama-guard
                    model: guard-test.gguf
                    action: block
                    categories: {S12: allow}
                    appliesTo: input
                  - name: out
                    detector: llama-guard
                    model: ./guard-test.gguf
                    action: redact
                    exclude: [S12]
                    appliesTo: output
                """);
        Policy p = PolicyLoader.load(file);
        // The untrained test model answers "unsafe\\nS12" to these (LlamaGuardModeratorTest); only the mapping is checked.
        Verdict in = p.checkInput("How do I bake bread?");
        assertEquals(Action.ALLOW, in.action());
        assertEquals("S12", in.findings().getFirst().category());
        Verdict out = p.checkOutput("How do I bake bread?", "Mix flour, water and yeast.");
        assertEquals(1, out.findings().size());
        assertTrue(!out.findings().getFirst().category().equals("S12"), "S12 is excluded from the output rule's prompt and grammar");
        assertEquals(Action.REDACT, out.action());
        p.close();
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> p.checkInput("again"));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    }

    static void assertError(String expectedStart, String yaml) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PolicyLoader.parse(yaml, "policy.yaml", List.of(),
                (m, c) -> ScriptedModerator.keywords()));
        assertTrue(e.getMessage().startsWith(expectedStart), () -> "'" + e.getMessage() + "' should start with '" + expectedStart + "'");
    }
}
