package dev.vane.model.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.GenerationOptions;
import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.Sampling;
import dev.vane.model.Session;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

/**
 * Unbounded schemas and any JSON under small token budgets: the embedded model, left alone, runs
 * a string on until the tokens run out; the grammar closes the output in time, so every output
 * still parses and validates (networknt's validator).
 */
class TokenBudgetTest {
    /** No maxLength, no maxItems: nothing in the schema bounds the output. */
    static final String SCHEMA = """
            {"type": "object",
             "properties": {"book": {"type": "string"}, "chapter": {"type": "integer"}, "verses": {"type": "array", "items": {"type": "string"}},
                            "testament": {"enum": ["OLD", "NEW"]}},
             "required": ["book", "chapter", "verses", "testament"]}
            """;
    static Model model;

    @BeforeAll
    static void load() throws Exception {
        model = EmbeddedModel.load();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static GenerationResult generate(Grammar g, int maxTokens, Sampling sampling) {
        try (Session s = model.newSession()) {
            return s.generate("And the LORD said unto Moses, Write this: ", GenerationOptions.of(maxTokens, sampling).withGrammar(g));
        }
    }

    @Test
    void everyBudgetClosesTheOutput() {
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(SCHEMA);
        Grammar g = Grammar.fromJsonSchema(SCHEMA);
        int shortest = g.initialState().bytesToComplete();
        assertTrue(shortest > 20, "the shortest match is " + shortest + " bytes");
        for (int budget : new int[] {shortest, shortest + 1, shortest + 7, 60, 120}) {
            for (long seed = 0; seed < 6; seed++) {
                Sampling s = seed == 0 ? Sampling.greedy() : Sampling.defaults(seed).withTemperature(1.2f);
                GenerationResult r = generate(g, budget, s);
                assertTrue(r.tokens().length <= budget);
                assertTrue(g.matches(r.text()), "budget " + budget + ", seed " + seed + ": " + r.text());
                assertEquals(0, schema.validate(r.text(), InputFormat.JSON).size(), "budget " + budget + ", seed " + seed + ": " + r.text());
            }
        }
    }

    @Test
    void anyJsonClosesToo() {
        Grammar g = Grammar.anyJson();
        ObjectMapper json = new ObjectMapper();
        for (int budget : new int[] {2, 3, 5, 17, 40}) {
            for (long seed = 0; seed < 4; seed++) {
                GenerationResult r = generate(g, budget, seed == 0 ? Sampling.greedy() : Sampling.defaults(seed).withTemperature(1.2f));
                json.readTree(r.text());  // throws unless it parses
                assertTrue(g.matches(r.text()), "budget " + budget + ": " + r.text());
            }
        }
    }

    @Test
    void aBudgetShorterThanTheShortestMatchIsRefused() {
        Grammar g = Grammar.fromJsonSchema(SCHEMA);
        int shortest = g.initialState().bytesToComplete();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> generate(g, shortest - 1, Sampling.greedy()));
        assertTrue(e.getMessage().contains("tokens left"), e.getMessage());
    }
}
