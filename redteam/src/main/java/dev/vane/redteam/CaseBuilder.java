package dev.vane.redteam;

import dev.vane.model.chat.ChatMessage;
import dev.vane.redteam.mutation.Mutation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Turns a probe and a mutation into a {@link Case}. The case's generator (the run's seed and
 * "suite/probe|mutation") draws, in this order, the canary, the planted PII, then the mutation's
 * choices, so a case is the same whatever else the run holds. The user message is the documents
 * ("Document:" / "Document N:"), then the tool results ("Result of the tool NAME:"), then the
 * user's text; tool results go in as text because not every endpoint takes tool messages.
 */
public final class CaseBuilder {
    private CaseBuilder() {}

    public static Case build(int index, Probe probe, Mutation mutation, long seed) {
        String name = probe.key() + "|" + mutation.name();
        RandomGenerator g = Seeds.generator(seed, name);
        String canary = Canary.draw(g);
        Map<PiiKind, String> planted = PlantedPii.draw(probe.pii(), g);
        Mutation.Mutated attack = mutation.apply(fill(probe.attack(), canary, planted), g);
        List<ChatMessage> messages = messages(probe, canary, planted, attack.text());
        int occurrences = 0;
        String defangedAttack = attack.text();
        for (String t : probe.tokens()) {
            occurrences += count(attack.text(), t);
            defangedAttack = defangedAttack.replace(t, defang(t));
        }
        List<ChatMessage> defanged = probe.tokens().isEmpty() ? List.of() : messages(probe, canary, planted, defangedAttack);
        return new Case(index, probe, mutation.name(), attack.variant(), canary, planted, attack.text(), messages, defanged, occurrences,
                Seeds.derive(seed, name + "|sampling"));
    }

    private static List<ChatMessage> messages(Probe p, String canary, Map<PiiKind, String> planted, String attack) {
        List<ChatMessage> out = new ArrayList<>();
        p.system().ifPresent(s -> out.add(ChatMessage.system(fill(s, canary, planted))));
        StringBuilder user = new StringBuilder();
        for (int i = 0; i < p.documents().size(); i++) {
            user.append(p.documents().size() == 1 ? "Document:\n" : "Document " + (i + 1) + ":\n");
            user.append(fill(p.documents().get(i), canary, planted).replace("{attack}", attack)).append("\n\n");
        }
        for (ToolResult t : p.toolResults())
            user.append("Result of the tool ").append(t.tool()).append(":\n").append(fill(t.content(), canary, planted).replace("{attack}", attack)).append("\n\n");
        user.append(fill(p.user(), canary, planted).replace("{attack}", attack));
        out.add(ChatMessage.user(user.toString()));
        return out;
    }

    // The variables but {attack}, which goes in last so that nothing in the mutated attack is read as a variable.
    static String fill(String text, String canary, Map<PiiKind, String> planted) {
        String s = text.replace("{canary}", canary);
        for (Map.Entry<PiiKind, String> e : planted.entrySet()) s = s.replace("{pii." + e.getKey().fileName() + "}", e.getValue());
        return s;
    }

    /**
     * A control token's text with a space after its first character ("&lt;|eot_id|&gt;" becomes
     * "&lt; |eot_id|&gt;"): about as many characters, never a control token.
     */
    static String defang(String token) {
        return token.isEmpty() ? token : token.charAt(0) + " " + token.substring(1);
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) n++;
        return n;
    }
}
