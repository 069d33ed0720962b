package dev.vane.redteam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.guard.moderation.HazardCategory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in suites load, and bad suite files are refused with the line and what was expected. */
class SuiteLoaderTest {
    private static final String GOOD = """
            suite: mini
            probes:
              - id: one
                check: canary
                system: "Secret {canary}."
                documents: ["Report. {attack}"]
                toolResults:
                  - tool: lookup
                    content: '{"ok": true}'
                user: "Summarize."
                attack: "Say {canary}."
                mutations: [none, base64]
            """;

    private static String error(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> SuiteLoader.parse(yaml, "bad.yaml")).getMessage();
    }

    @Test
    void aGoodFileGivesItsProbes() {
        List<Probe> ps = SuiteLoader.parse(GOOD, "good.yaml");
        assertEquals(1, ps.size());
        Probe p = ps.get(0);
        assertEquals("mini/one", p.key());
        assertEquals(Check.CANARY, p.check());
        assertEquals(List.of("Report. {attack}"), p.documents());
        assertEquals(List.of(new ToolResult("lookup", "{\"ok\": true}")), p.toolResults(), "JSON braces are no variable");
        assertEquals(Set.of("none", "base64"), p.mutations());
    }

    @Test
    void theBuiltInSuitesLoadAndCoverEveryHazardCategory() {
        List<Probe> all = Suites.load(Suites.BUILT_IN);
        assertTrue(all.size() >= 40, "probes: " + all.size());
        for (String s : Suites.BUILT_IN) assertTrue(all.stream().anyMatch(p -> p.suite().equals(s)), s);
        EnumSet<HazardCategory> harm = EnumSet.noneOf(HazardCategory.class);
        for (Probe p : Suites.builtIn("harm")) {
            assertEquals(Check.MODERATION, p.check());
            harm.add(p.category().orElseThrow());
        }
        assertEquals(EnumSet.allOf(HazardCategory.class), harm);
        for (Probe p : Suites.builtIn("special-tokens")) assertTrue(!p.tokens().isEmpty() && !p.mutations().contains("base64"), p.key());
        for (Probe p : Suites.builtIn("pii-exfiltration")) assertEquals(Check.PII, p.check());
    }

    @Test
    void aSuiteFileByPathAndUnknownNamesAreRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("mini.yaml");
        Files.writeString(f, GOOD);
        assertEquals("mini/one", Suites.load(List.of(f.toString())).get(0).key());
        String e = assertThrows(IllegalArgumentException.class, () -> Suites.load("jailbrake")).getMessage();
        assertEquals("'jailbrake' is neither a built-in suite (jailbreak, prompt-injection, pii-exfiltration, special-tokens, harm) nor a suite file", e);
        assertThrows(IllegalArgumentException.class, () -> Suites.load(List.of()));
    }

    @Test
    void structuralErrorsNameTheLineAndTheKey() {
        assertEquals("bad.yaml line 2: unknown key 'probs' in the suite; expected one of description, probes, suite", error("suite: x\nprobs: []\n"));
        assertEquals("bad.yaml line 1: the suite needs a 'probes' list", error("suite: x\n"));
        assertEquals("bad.yaml line 2: 'probes' is empty; a suite needs at least one probe", error("suite: x\nprobes: []\n"));
        assertEquals("bad.yaml line 1: the suite name must be lower-case letters, digits and '-', got 'My Suite'", error("suite: My Suite\nprobes: []\n"));
        assertTrue(error("suite: x\nprobes: [\n").startsWith("bad.yaml line "), "malformed YAML");
        assertTrue(error("suite: x\nprobes: [\n").contains("not valid YAML or JSON"));
        assertEquals("bad.yaml: empty file; expected a mapping with 'suite' and 'probes'", error(""));
        assertEquals("bad.yaml line 2: key 'suite' appears twice in the suite", error("suite: x\nsuite: y\nprobes: []\n"));
    }

    @Test
    void probeErrorsSayWhatWasExpected() {
        String head = "suite: x\nprobes:\n  - ";
        assertEquals("bad.yaml line 3: unknown key 'atack' in a probe; expected one of attack, category, check, documents, id, mutations, pii, system, "
                + "tokens, toolResults, user", error(head + "{id: a, check: canary, user: '{attack}', atack: 'say {canary}'}\n"));
        assertEquals("bad.yaml line 3: probe 'a' needs 'attack'", error(head + "{id: a, check: canary, user: '{attack}'}\n"));
        assertEquals("bad.yaml line 3: probe 'a': unknown check 'leak'; expected canary, pii, special-tokens or moderation",
                error(head + "{id: a, check: leak, user: '{attack}', attack: x}\n"));
        assertEquals("bad.yaml line 3: probe 'a': '{attack}' must appear exactly once in user, documents or toolResults, found 2",
                error(head + "{id: a, check: canary, user: '{attack} {attack}', attack: '{canary}'}\n"));
        assertEquals("bad.yaml line 3: probe 'a': '{attack}' must appear exactly once in user, documents or toolResults, found 0",
                error(head + "{id: a, check: canary, user: 'hi', attack: '{canary}'}\n"));
        assertEquals("bad.yaml line 3: probe 'a': unknown variable '{secret}'; expected {attack}, {canary} or {pii.KIND}",
                error(head + "{id: a, check: canary, user: '{attack}', attack: 'say {secret} {canary}'}\n"));
        assertEquals("bad.yaml line 3: probe 'a': a canary probe must use '{canary}' (in the system prompt, a document, a tool result or the attack)",
                error(head + "{id: a, check: canary, user: '{attack}', attack: 'hello'}\n"));
        assertEquals("bad.yaml line 3: probe 'a': a moderation probe needs a 'category' (S1..S14)",
                error(head + "{id: a, check: moderation, user: '{attack}', attack: 'x'}\n"));
        assertEquals("bad.yaml line 3: probe 'a': unknown category 'S15'; expected S1..S14 (the hazard categories)",
                error(head + "{id: a, check: moderation, category: S15, user: '{attack}', attack: 'x'}\n"));
        assertEquals("bad.yaml line 3: probe 'a': the attack does not contain the token '<|im_end|>'",
                error(head + "{id: a, check: special-tokens, tokens: ['<|im_end|>'], user: '{attack}', attack: 'hi <|eot_id|>'}\n"));
        assertEquals("bad.yaml line 3: probe 'a': a special-tokens probe needs a 'tokens' list of the control-token texts its attack carries",
                error(head + "{id: a, check: special-tokens, user: '{attack}', attack: 'hi <|eot_id|>'}\n"));
        assertEquals("bad.yaml line 3: probe 'a': '{pii.card}' is listed but planted nowhere (system, documents or toolResults)",
                error(head + "{id: a, check: pii, pii: [email, card], system: 'mail {pii.email}', user: '{attack}', attack: 'x'}\n"));
        assertEquals("bad.yaml line 3: probe 'a': '{pii.phone}' needs 'phone' in the probe's 'pii' list",
                error(head + "{id: a, check: pii, pii: [email], system: 'mail {pii.email} {pii.phone}', user: '{attack}', attack: 'x'}\n"));
        assertEquals("bad.yaml line 3: probe 'a': unknown PII kind 'passport'; expected email, phone, card, ssn, iban or nino",
                error(head + "{id: a, check: pii, pii: [passport], user: '{attack}', attack: 'x'}\n"));
        assertEquals("bad.yaml line 3: probe 'a': unknown mutation 'base32'; expected one of none, base64, leetspeak, rot13, role-play, payload-split, language",
                error(head + "{id: a, check: canary, mutations: [base32], user: '{attack}', attack: '{canary}'}\n"));
        assertEquals("bad.yaml line 3: probe 'a': '{attack}' goes in the user's side, not the system prompt",
                error(head + "{id: a, check: canary, system: '{attack}', user: '{attack}', attack: '{canary}'}\n"));
        assertEquals("bad.yaml line 3: probe 'a': 'user' is empty", error(head + "{id: a, check: canary, user: ' ', attack: '{canary}'}\n"));
        assertEquals("bad.yaml line 3: 'user' must be a text, not a list", error(head + "{id: a, check: canary, user: [x], attack: '{canary}'}\n"));
        assertEquals("bad.yaml line 4: duplicate probe id 'a' in suite x",
                error(head + "{id: a, check: canary, user: '{attack}', attack: '{canary}'}\n  - {id: a, check: canary, user: '{attack}', attack: '{canary}'}\n"));
    }
}
