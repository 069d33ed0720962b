package dev.vane.guard.moderation;

import dev.vane.model.grammar.Grammar;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The GBNF of a Llama Guard answer over a set of categories: up to two newlines (Llama Guard 3 8B
 * starts its answers with "\n\n"), then "safe", or "unsafe", a newline and 1..n codes of the set
 * separated by commas (n = the set's size; a code may repeat, the parser keeps it once). Constraining a generation to it makes
 * every finished output parse with {@link LlamaGuardOutput#parse}, whatever the model, and keeps
 * codes outside the prompt's categories out of the answer.
 */
public final class LlamaGuardGrammar {
    private LlamaGuardGrammar() {}

    /** The GBNF text (start rule root). */
    public static String gbnf(Set<HazardCategory> categories) {
        Objects.requireNonNull(categories, "categories must not be null");
        if (categories.isEmpty()) throw new IllegalArgumentException("a Llama Guard answer grammar needs at least one category, got none");
        // Longer codes first only for readability: the matcher follows every alternative at once.
        String codes = categories.stream().sorted((a, b) -> b.ordinal() - a.ordinal())
                .map(c -> "\"" + c.code() + "\"").collect(Collectors.joining(" | "));
        String more = categories.size() == 1 ? "" : " (\",\" code){0," + (categories.size() - 1) + "}";
        return "root ::= \"\\n\"{0,2} (\"safe\" | \"unsafe\\n\" code" + more + ")\n"
                + "code ::= " + codes + "\n";
    }

    public static Grammar of(Set<HazardCategory> categories) {
        return Grammar.fromGbnf(gbnf(categories));
    }
}
