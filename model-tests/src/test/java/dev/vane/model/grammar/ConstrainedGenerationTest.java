package dev.vane.model.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.vane.attention.KvCache;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.GenerationOptions;
import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.Sampling;
import dev.vane.model.Scheduler;
import dev.vane.model.SchedulerOptions;
import dev.vane.model.Session;
import dev.vane.model.SessionOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

/**
 * Grammar-constrained generation from the embedded model (a Bible model that knows no JSON): every
 * output parses and validates against the schema by networknt's validator, which shares no code
 * with Vane; GBNF output is checked by a recogniser written here.
 */
class ConstrainedGenerationTest {
    /** Every keyword here is one the grammar enforces; every size is bounded so a generation always finishes. */
    static final String SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "type": "object",
              "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 20},
                "age": {"type": "integer", "minimum": 0, "maximum": 150},
                "active": {"type": "boolean"},
                "role": {"enum": ["admin", "user", "guest"]},
                "address": {
                  "type": "object",
                  "properties": {"city": {"type": "string", "maxLength": 16}, "zip": {"type": "string", "maxLength": 10}},
                  "required": ["city"],
                  "additionalProperties": false
                },
                "tags": {"type": "array", "items": {"type": "string", "maxLength": 8}, "minItems": 1, "maxItems": 3},
                "scores": {"type": "array", "items": {"type": "integer"}, "maxItems": 4},
                "note": {"type": ["string", "null"], "maxLength": 12}
              },
              "required": ["name", "age", "active", "role", "address", "tags"],
              "additionalProperties": false
            }
            """;
    static final String PROMPT = "And the LORD said unto Moses, Write this: ";
    // The module's second run under VANE_CPU=baseline checks the scalar kernels; the grammar is the same there, so fewer seeds.
    private static final int SEEDS = "baseline".equals(System.getenv("VANE_CPU")) ? 10 : 200, MAX_TOKENS = 2048;

    static Model model;

    @BeforeAll
    static void load() throws Exception {
        model = EmbeddedModel.load();
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    static Session session() {
        return model.newSession(new SessionOptions(4096, KvCache.Storage.F16, 256));
    }

    @Test
    void everyGenerationParsesAndValidates() throws Exception {
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(SCHEMA);
        ObjectMapper json = new ObjectMapper();
        Grammar grammar = Grammar.fromJsonSchema(SCHEMA);
        List<String> failures = new ArrayList<>();
        int tokens = 0, unconstrainedParsed = 0, unconstrainedValid = 0;
        long t0 = System.nanoTime();
        for (int seed = -1; seed < SEEDS; seed++) {  // -1: greedy
            Sampling sampling = seed < 0 ? Sampling.greedy() : Sampling.defaults(seed).withTemperature(1.0f);
            GenerationOptions options = GenerationOptions.of(MAX_TOKENS, sampling).withGrammar(grammar);
            GenerationResult r;
            try (Session s = session()) {
                r = s.generate(PROMPT, options);
            }
            tokens += r.tokens().length;
            List<?> errors = schema.validate(r.text(), InputFormat.JSON);
            if (r.stopReason() != GenerationResult.StopReason.GRAMMAR_COMPLETE && r.stopReason() != GenerationResult.StopReason.END_OF_GENERATION
                    || !errors.isEmpty()) {
                failures.add("seed " + seed + " (" + r.stopReason() + "): " + r.text() + " " + errors);
            }
            if (seed == -1 || seed < 3) System.out.println("seed " + seed + ": " + r.text());
            try (Session s = session()) {
                String text = s.generate(PROMPT, GenerationOptions.of(256, sampling)).text();
                try {
                    json.readTree(text);
                    unconstrainedParsed++;
                    if (schema.validate(text, InputFormat.JSON).isEmpty()) unconstrainedValid++;
                } catch (RuntimeException notJson) {
                    // the measurement: how often the model alone writes JSON
                }
            }
        }
        System.out.printf("constrained: %d/%d parse and validate (%d tokens, %.1f s with the unconstrained runs); unconstrained: %d/%d parse, %d validate%n",
                SEEDS + 1 - failures.size(), SEEDS + 1, tokens, (System.nanoTime() - t0) / 1e9, unconstrainedParsed, SEEDS + 1, unconstrainedValid);
        assertEquals(List.of(), failures);
    }

    @Test
    void theSchedulerConstrainsAsASessionDoes() throws Exception {
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(SCHEMA);
        Grammar grammar = Grammar.fromJsonSchema(SCHEMA);
        int[] prompt = model.tokenizer().encode(PROMPT, true);
        List<GenerationResult> alone = new ArrayList<>();
        for (int seed = 0; seed < 4; seed++) {
            try (Session s = session()) {
                alone.add(s.generate(prompt, GenerationOptions.of(MAX_TOKENS, Sampling.defaults(seed)).withGrammar(grammar), t -> true));
            }
        }
        try (Scheduler sch = model.newScheduler(SchedulerOptions.defaults(model.config()).withCapacity(4))) {
            List<Scheduler.Ticket> tickets = new ArrayList<>();
            for (int seed = 0; seed < 4; seed++) {
                tickets.add(sch.submit(prompt, GenerationOptions.of(MAX_TOKENS, Sampling.defaults(seed)).withGrammar(grammar), t -> true));
            }
            for (int i = 0; i < 4; i++) {
                GenerationResult r = tickets.get(i).result().get();
                assertEquals(List.of(), schema.validate(r.text(), InputFormat.JSON), r.text());
                assertEquals(GenerationResult.StopReason.GRAMMAR_COMPLETE, r.stopReason());
                assertTrue(r.text().length() > 20);
                assertEquals(alone.get(i).stopReason(), r.stopReason());
            }
        }
    }

    @Test
    void arithmeticOutputIsAnExpression() {
        Grammar g = Grammar.fromGbnf("""
                root   ::= expr "="
                expr   ::= term ( ws [-+] ws term ){0,6}
                term   ::= factor ( ws [*/] ws factor ){0,3}
                factor ::= [0-9]{1,3} | "(" ws expr ws ")"
                ws     ::= " "?
                """);
        for (int seed = 0; seed < 20; seed++) {
            GenerationResult r;
            try (Session s = session()) {
                r = s.generate("In the beginning ", GenerationOptions.of(400, Sampling.defaults(seed)).withGrammar(g));
            }
            if (r.stopReason() == GenerationResult.StopReason.MAX_TOKENS) continue;  // nesting is unbounded: a model may keep opening
            assertEquals(GenerationResult.StopReason.GRAMMAR_COMPLETE, r.stopReason(), r.text());
            assertTrue(new Arithmetic(r.text()).whole(), "not an expression: " + r.text());
        }
    }

    @Test
    void endOfGenerationOnlyWhereTheGrammarIsComplete() {
        // "yes" or "no", then optionally more words: the output is complete before it must end.
        Grammar g = Grammar.fromGbnf("root ::= (\"yes\" | \"no\") (\" amen\"){0,3}\n");
        for (int seed = 0; seed < 10; seed++) {
            try (Session s = session()) {
                GenerationResult r = s.generate(PROMPT, GenerationOptions.of(64, Sampling.defaults(seed)).withGrammar(g));
                assertTrue(g.matches(r.text()), r.text());
                assertNotEquals(GenerationResult.StopReason.MAX_TOKENS, r.stopReason());
            }
        }
    }

    /** A recogniser of the arithmetic grammar written by hand, independent of the matcher. */
    private static final class Arithmetic {
        private final String s;
        private int i;

        Arithmetic(String s) {
            this.s = s;
        }

        boolean whole() {
            return expr() && eat('=') && i == s.length();
        }

        private boolean expr() {
            if (!term()) return false;
            for (int k = 0; k < 6; k++) {
                int save = i;
                eat(' ');
                if (!(eat('+') || eat('-'))) {
                    i = save;
                    break;
                }
                eat(' ');
                if (!term()) return false;
            }
            return true;
        }

        private boolean term() {
            if (!factor()) return false;
            for (int k = 0; k < 3; k++) {
                int save = i;
                eat(' ');
                if (!(eat('*') || eat('/'))) {
                    i = save;
                    break;
                }
                eat(' ');
                if (!factor()) return false;
            }
            return true;
        }

        private boolean factor() {
            int d = 0;
            while (d < 3 && i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
                d++;
            }
            if (d > 0) return true;
            if (!eat('(')) return false;
            eat(' ');
            if (!expr()) return false;
            eat(' ');
            return eat(')');
        }

        private boolean eat(char c) {
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }
    }
}
