package dev.vane.guard.moderation;

import static dev.vane.guard.moderation.HazardCategory.S1;
import static dev.vane.guard.moderation.HazardCategory.S10;
import static dev.vane.guard.moderation.HazardCategory.S14;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Llama Guard answers as the format says ("safe", or "unsafe" and a line of codes), the tolerated variations, and what is refused. */
class LlamaGuardOutputTest {
    @Test void safe() {
        Moderation m = LlamaGuardOutput.parse("safe");
        assertTrue(m.safe());
        assertEquals(List.of(), m.categories());
        assertEquals("safe", m.rawOutput());
    }

    @Test void unsafeWithCategoriesInTheirOrder() {
        Moderation m = LlamaGuardOutput.parse("unsafe\nS10,S1");
        assertTrue(m.unsafe());
        assertEquals(List.of(S10, S1), m.categories());
    }

    @Test void unsafeAloneNamesNoCategory() {
        Moderation m = LlamaGuardOutput.parse("unsafe");
        assertTrue(m.unsafe());
        assertEquals(List.of(), m.categories());
    }

    @Test void whitespaceAroundSpacesAfterCommasAndEndTokensAreTolerated() {
        String[] raws = {"\n\nunsafe\nS1,S14", "  unsafe \n S1, S14 \n", "unsafe\r\nS1 ,S14", "\n\nunsafe\nS1,S14<|eot_id|>",
            "unsafe\nS1, S14 <|eot_id|>\n", "unsafe\nS1,S14<|eom_id|><|end_of_text|>", "unsafe\nS1,S14,S1"};
        for (String raw : raws) {
            Moderation m = LlamaGuardOutput.parse(raw);
            assertEquals(List.of(S1, S14), m.categories(), raw);
            assertEquals(raw, m.rawOutput(), "the raw output is kept as given");
        }
        assertTrue(LlamaGuardOutput.parse("\n\nsafe<|eot_id|>").safe());
        assertTrue(LlamaGuardOutput.parse(" safe \n\n").safe());
    }

    @Test void anythingElseIsRefusedQuotingTheOutput() {
        record Bad(String raw, String says) {}
        List<Bad> bad = List.of(
                new Bad("", "the output is empty"),
                new Bad(" \n<|eot_id|>", "the output is empty"),
                new Bad("maybe", "the first line is \"maybe\", neither 'safe' nor 'unsafe'"),
                new Bad("Safe", "the first line is \"Safe\""),
                new Bad("safe.", "the first line is \"safe.\""),
                new Bad("unsafe S1", "the first line is \"unsafe S1\""),
                new Bad("safe\nS1", "'safe' must stand alone"),
                new Bad("unsafe\nS15", "\"S15\" is not a category code S1..S14"),
                new Bad("unsafe\nS0", "\"S0\" is not a category code"),
                new Bad("unsafe\nS01", "\"S01\" is not a category code"),
                new Bad("unsafe\ns1", "\"s1\" is not a category code"),
                new Bad("unsafe\nViolent Crimes", "\"Violent Crimes\" is not a category code"),
                new Bad("unsafe\nS1,", "an empty entry"),
                new Bad("unsafe\nS1,,S2", "an empty entry"),
                new Bad("unsafe\n\nS1", "only one line of categories may follow"),
                new Bad("unsafe\nS1\nS2", "only one line of categories may follow 'unsafe', but 2 lines do"));
        for (Bad b : bad) {
            LlamaGuardOutputException e = assertThrows(LlamaGuardOutputException.class, () -> LlamaGuardOutput.parse(b.raw()), b.raw());
            assertTrue(e.getMessage().contains(b.says()), e.getMessage());
            assertTrue(e.getMessage().startsWith("Llama Guard output must be 'safe', or 'unsafe' and then a line of comma-separated categories S1..S14"), e.getMessage());
            assertTrue(e.getMessage().endsWith("got " + LlamaGuardOutput.quote(b.raw())), e.getMessage());
            assertEquals(b.raw(), e.rawOutput());
        }
        assertThrows(NullPointerException.class, () -> LlamaGuardOutput.parse(null));
    }

    @Test void quotingEscapesAndCuts() {
        assertEquals("\"unsafe\\nS1\\t\\\"x\\\"\\u0001\"", LlamaGuardOutput.quote("unsafe\nS1\t\"x\"\u0001"));
        String q = LlamaGuardOutput.quote("x".repeat(250));
        assertTrue(q.endsWith("\" (50 more chars)"), q);
        assertFalse(q.contains("x".repeat(201)));
    }
}
