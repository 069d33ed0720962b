package dev.vane.guard;

import static dev.vane.guard.PolicyTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyLoaderTest {
    @Test void yamlPolicy() {
        Policy p = PolicyLoader.parse("""
                blockMessage: "Sorry, no."
                rules:
                  - name: email
                    detector: email
                    action: redact
                    replacement: "<mail>"
                  - name: profanity
                    detector: words
                    words: [darn, "heck no"]
                    category: PROFANITY
                    action: block
                    appliesTo: output
                  - name: tokens
                    detector: special-tokens
                    tokens: ["<|mine|>"]
                    builtIn: false
                    action: block
                    appliesTo: [input]
                """, "test.yaml", List.of("<EOS>"));
        assertEquals(3, p.rules().size());
        assertEquals("x <mail>", p.checkInput("x a@b.io").text());
        assertEquals("Sorry, no.", p.checkOutput("d4rn it").text());
        assertEquals(Action.ALLOW, p.checkInput("d4rn it").action());
        assertTrue(p.checkInput("<|mine|>").blocked());
        assertTrue(p.checkInput("<EOS>").blocked(), "the model's own tokens join");
        assertEquals(Action.ALLOW, p.checkInput("<|eot_id|>").action(), "built-in list left out");
    }

    @Test void jsonPolicy() {
        Policy p = PolicyLoader.parse("{\"rules\": [{\"name\": \"card\", \"detector\": \"payment-card\", \"action\": \"REDACT\"}]}", "p.json");
        assertEquals("[PAYMENT_CARD]", p.checkOutput("4111111111111111").text());
        assertEquals(Policy.DEFAULT_BLOCK_MESSAGE, p.blockMessage());
    }

    @Test void errorsNameTheKeyAndTheLine() {
        assertMessage("p.yaml line 4: rule 'e': unknown key 'acton'", () -> PolicyLoader.parse("""
                rules:
                  - name: e
                    detector: email
                    acton: redact
                """, "p.yaml"));
        assertMessage("line 3: rule 'e': unknown detector 'emial'; expected one of email,", () -> PolicyLoader.parse("""
                rules:
                  - name: e
                    detector: emial
                    action: redact
                """, "p.yaml"));
        assertMessage("line 4: rule 'e': unknown action 'delete'; expected allow, redact or block", () -> PolicyLoader.parse("""
                rules:
                  - name: e
                    detector: email
                    action: delete
                """, "p.yaml"));
        assertMessage("line 1: unknown key 'rulez' in the policy", () -> PolicyLoader.parse("rulez: []", "p.yaml"));
        assertMessage("needs a 'rules' list", () -> PolicyLoader.parse("blockMessage: x", "p.yaml"));
        assertMessage("unknown key 'words' for detector 'email'", () -> PolicyLoader.parse(
                "rules: [{name: e, detector: email, action: block, words: [x]}]", "p.yaml"));
        assertMessage("detector 'words' needs a 'words' list", () -> PolicyLoader.parse(
                "rules: [{name: w, detector: words, action: block}]", "p.yaml"));
        assertMessage("'words' must be a list of texts", () -> PolicyLoader.parse(
                "rules: [{name: w, detector: words, words: darn, action: block}]", "p.yaml"));
        assertMessage("unknown direction 'sideways'", () -> PolicyLoader.parse(
                "rules: [{name: e, detector: email, action: block, appliesTo: [sideways]}]", "p.yaml"));
        assertMessage("line 3: key 'action' appears twice", () -> PolicyLoader.parse(
                "rules:\n  - {name: e, detector: email, action: block,\n     action: redact}", "p.yaml"));
        assertMessage("has a replacement but its action is BLOCK", () -> PolicyLoader.parse(
                "rules: [{name: e, detector: email, action: block, replacement: x}]", "p.yaml"));
        assertMessage("rule names must be unique", () -> PolicyLoader.parse(
                "rules: [{name: e, detector: email, action: block}, {name: e, detector: phone, action: block}]", "p.yaml"));
        assertMessage("'builtIn' must be true or false", () -> PolicyLoader.parse(
                "rules: [{name: t, detector: special-tokens, builtIn: maybe, action: block}]", "p.yaml"));
        assertMessage("p.yaml line 1: not valid YAML or JSON", () -> PolicyLoader.parse("rules: [ {", "p.yaml"));
        assertMessage("p.yaml: empty file; expected a policy mapping", () -> PolicyLoader.parse("", "p.yaml"));
    }
}
