package dev.vane.bench.grammar;

import dev.vane.Vane;
import dev.vane.bench.DecodeStep;
import dev.vane.bench.Timing;
import dev.vane.bench.model.BenchArgs;
import dev.vane.bench.model.ModelBench;
import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.GenerationOptions;
import dev.vane.model.Model;
import dev.vane.model.Sampling;
import dev.vane.model.Session;
import dev.vane.model.SessionOptions;
import dev.vane.model.WeightFormat;
import dev.vane.model.grammar.Grammar;
import dev.vane.model.grammar.GrammarMatcher;
import dev.vane.model.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code vane bench grammar}: what a JSON-schema grammar costs a token (the mask before sampling
 * plus the matcher's step past the drawn token) over realistic generations, on the embedded
 * model's vocabulary and on Qwen3's, against decode steps measured in the same run. Generations
 * are the embedded model's constrained outputs (for Qwen3, their text encoded by its tokenizer),
 * replayed token by token: cold (a new grammar, its mask cache empty) and warm (after other
 * generations of the same schema filled it).
 */
public final class GrammarBench {
    private GrammarBench() {}

    public static final String USAGE = "vane bench grammar   [--generations=20] [--threads=2] [--qwen3=build/vocab-cache/qwen3/tokenizer.json] [--cache=build/model-cache] [--no-q4]";

    /** The schema of the constrained-generation test (model-tests' ConstrainedGenerationTest). */
    static final String SCHEMA = """
            {"type": "object", "properties": {
              "name": {"type": "string", "minLength": 1, "maxLength": 20},
              "age": {"type": "integer", "minimum": 0, "maximum": 150},
              "active": {"type": "boolean"},
              "role": {"enum": ["admin", "user", "guest"]},
              "address": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 16}, "zip": {"type": "string", "maxLength": 10}},
                "required": ["city"], "additionalProperties": false},
              "tags": {"type": "array", "items": {"type": "string", "maxLength": 8}, "minItems": 1, "maxItems": 3},
              "scores": {"type": "array", "items": {"type": "integer"}, "maxItems": 4},
              "note": {"type": ["string", "null"], "maxLength": 12}},
             "required": ["name", "age", "active", "role", "address", "tags"], "additionalProperties": false}
            """;
    private static final String PROMPT = "And the LORD said unto Moses, Write this: ";

    public static int run(String[] args, PrintStream out, PrintStream err) {
        int generations = 20, threads = Math.min(2, Runtime.getRuntime().availableProcessors());
        Path qwen3 = Path.of("build/vocab-cache/qwen3/tokenizer.json"), cache = Path.of("build/model-cache");
        boolean q4 = true;
        try {
            for (String a : args) {
                if (a.startsWith("--generations=")) generations = Integer.parseInt(a.substring(14));
                else if (a.startsWith("--threads=")) threads = Integer.parseInt(a.substring(10));
                else if (a.startsWith("--qwen3=")) qwen3 = Path.of(a.substring(8));
                else if (a.startsWith("--cache=")) cache = Path.of(a.substring(8));
                else if (a.equals("--no-q4")) q4 = false;
                else throw new IllegalArgumentException("unknown option " + a + "\nusage: " + USAGE);
            }
            if (generations < 2 || threads < 1) throw new IllegalArgumentException("--generations must be >= 2 and --threads >= 1");
        } catch (IllegalArgumentException e) {
            return BenchArgs.rejected(err, e);
        }
        Vane.setThreads(threads);
        out.printf(Locale.ROOT, "vane bench grammar: Vane %s, kernels %s, %d threads, %s; %d generations of the test schema%n", Vane.version(),
                Vane.cpu().active().name().toLowerCase(Locale.ROOT), threads, Instant.now(), generations);
        try (Model embedded = EmbeddedModel.load()) {
            List<String> texts = new ArrayList<>();
            List<int[]> ids = new ArrayList<>();
            Grammar g = Grammar.fromJsonSchema(SCHEMA);
            for (int seed = 0; seed < generations; seed++) {
                try (Session s = embedded.newSession(new SessionOptions(4096, dev.vane.attention.KvCache.Storage.F16, 256))) {
                    var r = s.generate(PROMPT, GenerationOptions.of(2048, Sampling.defaults(seed).withTemperature(1f)).withGrammar(g));
                    texts.add(r.text());
                    ids.add(r.tokens());
                }
            }
            double embeddedStep = DecodeStep.medianMs(embedded);
            Double q4Step = null;
            String q4Name = null;
            if (q4) {
                ModelBench files = new ModelBench(null, ModelBench.Peers.NONE, threads, 1, 0, 0, cache, err);
                ModelBench.Case c = ModelBench.named("q4_0", false, false);
                try (Model m = Model.load(files.file(c), WeightFormat.AS_IS)) {
                    q4Step = DecodeStep.medianMs(m);
                    q4Name = c.name() + " " + c.format() + String.format(Locale.ROOT, " (%.2fB parameters)", m.config().parameters() / 1e9);
                }
            }
            out.printf(Locale.ROOT, "decode step (median of 64): embedded %.3f ms%s%n", embeddedStep,
                    q4Step == null ? "" : String.format(Locale.ROOT, ", %s %.3f ms", q4Name, q4Step));
            out.println("vocabulary          tokens  trie ms  per token ms: cold  warm    max warm  warm / embedded step  warm / 0.5B step  cold / 0.5B step");
            report(out, "embedded", embedded.tokenizer(), ids, embeddedStep, q4Step);
            if (Files.exists(qwen3)) {
                Tokenizer q = Tokenizer.fromTokenizerJson(qwen3);
                List<int[]> qids = new ArrayList<>();
                for (String t : texts) qids.add(q.encode(t, false, false));
                report(out, "qwen3", q, qids, embeddedStep, q4Step);
            } else {
                out.println("qwen3: no " + qwen3 + " (ci/fetch-vocabularies.sh fetches it)");
            }
        } catch (IOException e) {
            err.println("vane bench: " + e);
            return 1;
        }
        return 0;
    }

    // Cold: the first generation on a new grammar; warm: the second half after the first half filled the cache.
    private static void report(PrintStream out, String name, Tokenizer tok, List<int[]> gens, double embeddedStep, Double q4Step) {
        long t0 = System.nanoTime();
        Grammar.fromGbnf("root ::= \"x\"\n").matcher(tok);  // builds the vocabulary's trie (shared by every grammar)
        replay(Grammar.anyJson(), tok, gens.get(gens.size() - 1));  // the JIT warmed on another grammar
        double trieMs = (System.nanoTime() - t0) / 1e6;
        Grammar g = Grammar.fromJsonSchema(SCHEMA);
        double[] cold = replay(g, tok, gens.get(0));
        for (int i = 1; i < gens.size() / 2; i++) replay(g, tok, gens.get(i));
        List<Double> warm = new ArrayList<>();
        for (int i = gens.size() / 2; i < gens.size(); i++) for (double d : replay(g, tok, gens.get(i))) warm.add(d);
        double coldMean = Arrays.stream(cold).average().orElse(0), warmMean = warm.stream().mapToDouble(d -> d).average().orElse(0);
        double warmMax = warm.stream().mapToDouble(d -> d).max().orElse(0);
        out.printf(Locale.ROOT, "%-18s %7d  %7.0f  %18.3f  %6.3f  %8.3f  %20.3f  %16s  %16s%n", name, tok.vocabSize(), trieMs, coldMean, warmMean, warmMax,
                warmMean / embeddedStep, q4Step == null ? "-" : String.format(Locale.ROOT, "%.3f", warmMean / q4Step),
                q4Step == null ? "-" : String.format(Locale.ROOT, "%.3f", coldMean / q4Step));
    }

    // Per token ms of mask + accept along ids.
    private static double[] replay(Grammar g, Tokenizer tok, int[] ids) {
        GrammarMatcher m = g.matcher(tok);
        float[] logits = new float[tok.vocabSize()];
        double[] ms = new double[ids.length];
        for (int i = 0; i < ids.length; i++) {
            Arrays.fill(logits, 0f);
            long t0 = System.nanoTime();
            m.maskLogits(logits);
            m.accept(ids[i]);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

}
