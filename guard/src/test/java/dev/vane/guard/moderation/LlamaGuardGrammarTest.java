package dev.vane.guard.moderation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.grammar.Grammar;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The answer grammar accepts exactly Llama Guard answers over the prompt's categories, and every answer it accepts parses. */
class LlamaGuardGrammarTest {
    @Test void acceptsTheAnswerForms() {
        Grammar g = LlamaGuardGrammar.of(EnumSet.allOf(HazardCategory.class));
        for (String ok : List.of("safe", "\nsafe", "\n\nsafe", "unsafe\nS1", "\n\nunsafe\nS10,S1", "unsafe\nS14,S13,S12", "unsafe\nS1,S2,S3,S4,S5,S6,S7,S8,S9,S10,S11,S12,S13,S14")) {
            assertTrue(g.matches(ok), ok);
        }
        for (String bad : List.of("", "unsafe", "unsafe\n", "\n\n\nsafe", "safe\n", " safe", "Safe", "unsafe\nS15", "unsafe\nS0", "unsafe\nS1,", "unsafe\nS1, S2",
                "unsafe\nS1,S2,S3,S4,S5,S6,S7,S8,S9,S10,S11,S12,S13,S14,S1", "maybe")) {
            assertFalse(g.matches(bad), bad);
        }
    }

    @Test void onlyThePromptsCategoriesMayBeNamed() {
        Grammar g = LlamaGuardGrammar.of(EnumSet.of(HazardCategory.S1, HazardCategory.S10));
        assertTrue(g.matches("unsafe\nS1"));
        assertTrue(g.matches("unsafe\nS10,S1"));
        assertFalse(g.matches("unsafe\nS2"));
        assertFalse(g.matches("unsafe\nS11"));
        assertFalse(g.matches("unsafe\nS1,S10,S1"), "at most as many codes as categories");
        Grammar one = LlamaGuardGrammar.of(Set.of(HazardCategory.S7));
        assertTrue(one.matches("unsafe\nS7"));
        assertFalse(one.matches("unsafe\nS7,S7"));
    }

    @Test void everyAcceptedAnswerParsesToTheSameCategories() {
        // Random walks over the grammar's strings: each whole match must parse, with the codes it names.
        Grammar g = LlamaGuardGrammar.of(EnumSet.allOf(HazardCategory.class));
        SplittableRandom r = new SplittableRandom(3);
        HazardCategory[] all = HazardCategory.values();
        for (int i = 0; i < 500; i++) {
            StringBuilder s = new StringBuilder("\n".repeat(r.nextInt(3)));
            List<HazardCategory> named = new ArrayList<>();
            if (r.nextInt(3) == 0) s.append("safe");
            else {
                s.append("unsafe\n");
                int n = 1 + r.nextInt(14);
                for (int k = 0; k < n; k++) {
                    HazardCategory c = all[r.nextInt(all.length)];
                    if (k > 0) s.append(',');
                    s.append(c.code());
                    if (!named.contains(c)) named.add(c);
                }
            }
            String answer = s.toString();
            assertTrue(g.matches(answer), answer);
            Moderation m = LlamaGuardOutput.parse(answer);
            assertEquals(named.isEmpty(), m.safe(), answer);
            assertEquals(named, m.categories(), answer);
        }
    }

    @Test void needsACategory() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LlamaGuardGrammar.gbnf(Set.of())).getMessage().contains("at least one category"));
    }
}
