package dev.vane.model.grammar;

import dev.vane.model.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;

/**
 * A context-free grammar that constrains generation: written in llama.cpp's GBNF
 * ({@link #fromGbnf}) or made from a JSON Schema ({@link #fromJsonSchema}), compiled to byte
 * level. Pass it to {@link dev.vane.model.GenerationOptions#withGrammar} and every token drawn
 * keeps the output a prefix of a match; see docs/GRAMMAR.md. Immutable and thread-safe; the token
 * masks it computes for a vocabulary are cached in it, so reuse one grammar across generations.
 */
public final class Grammar {
    /** Bytes of token masks kept per vocabulary (least recently used dropped first). */
    public static final long MASK_CACHE_BYTES = 64L << 20;
    /** Grammars {@link #fromJsonSchema} keeps by schema text, the most recent first, so a schema used again finds its masks warm. */
    static final int SCHEMAS_KEPT = 64;

    private static final Map<String, Grammar> BY_SCHEMA = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Grammar> eldest) {
            return size() > SCHEMAS_KEPT;
        }
    };

    // Made on first use, shared by every caller of anyJson().
    private static final class AnyJson {
        static final Grammar GRAMMAR = fromGbnf(JsonSchemaGrammar.anyJsonGbnf("root"));
    }

    private final String gbnf;
    private final String start;
    private final Program program;
    private final Map<Tokenizer, TokenMasks> masks = new WeakHashMap<>();

    private Grammar(String gbnf, String start) {
        this.gbnf = gbnf;
        this.start = start;
        this.program = GrammarCompiler.compile(GbnfParser.parse(gbnf), start);
    }

    /** A grammar in GBNF whose start rule is root. */
    public static Grammar fromGbnf(String gbnf) {
        return fromGbnf(gbnf, "root");
    }

    /** A grammar in GBNF that starts at rule start. */
    public static Grammar fromGbnf(String gbnf, String start) {
        Objects.requireNonNull(gbnf, "gbnf must not be null");
        Objects.requireNonNull(start, "start must not be null");
        return new Grammar(gbnf, start);
    }

    /**
     * The JSON values a JSON Schema (the subset in {@link JsonSchemaGrammar}) accepts; the same
     * schema text again gives the same grammar (the last {@link #SCHEMAS_KEPT} are kept), with its
     * token masks.
     */
    public static Grammar fromJsonSchema(String schemaJson) {
        Objects.requireNonNull(schemaJson, "schemaJson must not be null");
        synchronized (BY_SCHEMA) {
            Grammar g = BY_SCHEMA.get(schemaJson);
            if (g != null) return g;
        }
        Grammar g = fromGbnf(JsonSchemaGrammar.toGbnf(schemaJson, "root"));  // compiled outside the lock
        synchronized (BY_SCHEMA) {
            return BY_SCHEMA.computeIfAbsent(schemaJson, k -> g);
        }
    }

    /** Any JSON object or array (as JSON mode: a document, not a bare scalar); one shared grammar. */
    public static Grammar anyJson() {
        return AnyJson.GRAMMAR;
    }

    /** The rule matching starts at. */
    String start() {
        return start;
    }

    /** The grammar's GBNF text. */
    public String gbnf() {
        return gbnf;
    }

    /** Where matching starts (nothing read yet). */
    public MatchState initialState() {
        return MatchState.initial(program);
    }

    /** Whether text (as UTF-8) is a whole match of the grammar. */
    public boolean matches(String text) {
        MatchState s = initialState().advance(text.getBytes(StandardCharsets.UTF_8));
        return s != null && s.isComplete();
    }

    /** A new matcher (one generation's) over tok's vocabulary, sharing this grammar's mask cache for it. */
    public GrammarMatcher matcher(Tokenizer tok) {
        return new GrammarMatcher(this, masksFor(tok), tok);
    }

    TokenMasks masksFor(Tokenizer tok) {
        synchronized (masks) {
            return masks.computeIfAbsent(tok, t -> new TokenMasks(t, MASK_CACHE_BYTES));
        }
    }

    Program program() {
        return program;
    }

    @Override
    public String toString() {
        return gbnf;
    }
}
