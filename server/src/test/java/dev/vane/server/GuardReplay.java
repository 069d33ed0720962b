package dev.vane.server;

import dev.vane.guard.Emit;
import dev.vane.guard.Policy;
import dev.vane.guard.PolicyLoader;
import dev.vane.guard.StreamGuard;
import dev.vane.model.GenerationOptions;
import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.Sampling;
import dev.vane.model.Session;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatTemplate;
import java.util.ArrayList;
import java.util.List;

/**
 * What a guarded server should send for a greedy generation, computed without the server: the
 * model's pieces from a Session alone, replayed through a StreamGuard of the same policy.
 */
final class GuardReplay {
    /** The guard tests' policy: e-mails redacted, injections refused, two output words blocked, one redacted. */
    static final String POLICY_YAML = """
            blockMessage: "Sorry, that is not allowed here."
            rules:
              - name: email
                detector: email
                action: redact
              - name: injection
                detector: prompt-injection
                action: block
                appliesTo: input
              - name: crowd
                detector: words
                words: [multitude, born]
                action: block
                appliesTo: output
              - name: lord
                detector: words
                words: [LORD]
                category: NAME
                action: redact
                appliesTo: output
            """;

    /** The text sent, whether the guard blocked, and the whole unguarded generation. */
    record Expected(String text, boolean blocked, GenerationResult alone) {}

    private GuardReplay() {}

    static Policy policy(Model model) {
        var t = model.specialTokenTexts();
        return PolicyLoader.parse(POLICY_YAML, "guard-test-policy.yaml", List.of(t.bos(), t.eos()));
    }

    static Expected completion(Model model, Policy policy, String prompt, int maxTokens) {
        List<String> pieces = new ArrayList<>();
        GenerationResult r;
        try (Session s = model.newSession()) {
            r = s.generate(model.tokenizer().encode(prompt, true), GenerationOptions.of(maxTokens, Sampling.greedy()), t -> pieces.add(t.text()));
        }
        return replay(policy, pieces, r);
    }

    static Expected chat(Model model, Policy policy, List<ChatMessage> messages, int maxTokens) {
        List<String> pieces = new ArrayList<>();
        GenerationResult r;
        try (Session s = model.newSession()) {
            r = s.chat(model.chatTemplate().orElse(ChatTemplate.CHATML), messages, GenerationOptions.of(maxTokens, Sampling.greedy()), t -> pieces.add(t.text()));
        }
        return replay(policy, pieces, r);
    }

    private static Expected replay(Policy policy, List<String> pieces, GenerationResult r) {
        StreamGuard g = policy.streamOutput();
        StringBuilder out = new StringBuilder();
        for (String p : pieces) {
            Emit e = g.accept(p);
            out.append(e.text());
            if (e.stop()) return new Expected(out.append(e.message()).toString(), true, r);
        }
        Emit e = g.finish();
        out.append(e.text());
        if (e.stop()) out.append(e.message());
        return new Expected(out.toString(), e.stop(), r);
    }
}
