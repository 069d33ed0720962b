package dev.vane.samples.cli;

import dev.vane.Vane;
import dev.vane.attention.KvCache;
import dev.vane.model.GenerationOptions;
import dev.vane.model.GenerationResult;
import dev.vane.model.Model;
import dev.vane.model.Sampling;
import dev.vane.model.Session;
import dev.vane.model.SessionOptions;
import dev.vane.model.TokenListener;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatTemplate;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vane run --model FILE --prompt TEXT ...}: loads a model and streams a continuation as it is generated. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Load a model (a GGUF file of any family Vane runs, or a Hugging Face checkpoint directory; dense or Mixtral-style MoE) and stream "
                + "a continuation of the prompt, or with --chat the reply to it.")
final class RunCommand implements Callable<Integer> {
    private final PrintStream out, err;

    @Mixin
    ModelChoice choice = new ModelChoice();

    @Option(names = "--prompt", paramLabel = "TEXT", description = "the text to continue (default: \"" + EMBEDDED_PROMPT + "\" for the embedded "
            + "model, else \"" + DEFAULT_PROMPT + "\")")
    String prompt;

    static final String EMBEDDED_PROMPT = "And God said", DEFAULT_PROMPT = "Once upon a time";

    @Option(names = "--max-tokens", paramLabel = "N", description = "tokens to generate at most (default: ${DEFAULT-VALUE})", defaultValue = "128")
    int maxTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "0 = greedy (default: ${DEFAULT-VALUE})", defaultValue = "0.8")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "0 = off (default: ${DEFAULT-VALUE})", defaultValue = "40")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", description = "1 = off (default: ${DEFAULT-VALUE})", defaultValue = "0.95")
    float topP;

    @Option(names = "--min-p", paramLabel = "P", description = "0 = off (default: ${DEFAULT-VALUE})", defaultValue = "0.05")
    float minP;

    @Option(names = "--repeat-penalty", paramLabel = "R", description = "1 = off (default: ${DEFAULT-VALUE})", defaultValue = "1.0")
    float repeatPenalty;

    @Option(names = "--repeat-last-n", paramLabel = "N", description = "tokens the penalty looks back (default: ${DEFAULT-VALUE})", defaultValue = "64")
    int repeatLastN;

    @Option(names = "--seed", paramLabel = "S", description = "sampling seed; the same seed gives the same text (default: ${DEFAULT-VALUE})",
            defaultValue = "42")
    long seed;

    @Option(names = "--context", paramLabel = "N", description = "KV cache positions (default: the model's, at most 4096)")
    Integer context;

    @Option(names = "--kv", paramLabel = "TYPE", description = "KV cache storage: f16 (default), f32, fp8", defaultValue = "f16")
    String kv;

    @Option(names = "--ignore-eos", description = "never stop at (or draw) an end-of-sequence token")
    boolean ignoreEos;

    @Option(names = "--chat", description = "treat the prompt as a user message in the model's chat format (its files name it)")
    boolean chat;

    @Option(names = "--chat-template", paramLabel = "NAME", description = "with --chat: this format instead (llama3, llama2, chatml, mistral-v7, zephyr, gemma, ...)")
    String chatTemplate;

    @Option(names = "--system", paramLabel = "TEXT", description = "with --chat: a system message first")
    String system;

    RunCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        KvCache.Storage storage = switch (kv.toLowerCase(Locale.ROOT)) {
            case "f16" -> KvCache.Storage.F16;
            case "f32" -> KvCache.Storage.F32;
            case "fp8" -> KvCache.Storage.FP8_E4M3;
            default -> throw new IllegalArgumentException("--kv must be f16, f32 or fp8, got " + kv);
        };
        Sampling sampling = new Sampling(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed);
        long t0 = System.nanoTime();
        if (prompt == null) prompt = choice.embedded() ? EMBEDDED_PROMPT : DEFAULT_PROMPT;
        try (Model m = choice.open()) {
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            err.printf(Locale.ROOT, "vane: %s from %s in %.2f s (%s, %d layers, d %d, vocab %d)%n", m,
                    choice.name(), loadSeconds,
                    m.config().moe() ? m.config().experts() + " experts, " + m.config().expertsUsed() + " per token" : "dense",
                    m.config().layers(), m.config().dim(), m.config().vocab());
            SessionOptions options = SessionOptions.defaults(m.config()).withKvStorage(storage);
            if (context != null) options = options.withContextLength(context);
            try (Session session = m.newSession(options)) {
                GenerationOptions generation = GenerationOptions.of(maxTokens, sampling).withIgnoreEos(ignoreEos);
                TokenListener print = t -> {
                    out.print(t.text());
                    out.flush();
                    return true;
                };
                GenerationResult r;
                if (chat || chatTemplate != null) {
                    ChatTemplate template = chatTemplate != null ? ChatTemplate.named(chatTemplate) : m.chatTemplate().orElseThrow(
                            () -> new IllegalArgumentException(choice.name() + " names no chat format Vane renders; pick one with --chat-template"));
                    List<ChatMessage> messages = new ArrayList<>();
                    if (system != null) messages.add(ChatMessage.system(system));
                    messages.add(ChatMessage.user(prompt));
                    r = session.chat(template, messages, generation, print);
                } else {
                    out.print(prompt);
                    out.flush();
                    r = session.generate(prompt, generation, print);
                }
                out.println();
                err.printf(Locale.ROOT, "vane: %d prompt tokens, %d generated (%s); first token %.0f ms, prefill %.1f tok/s, decode %.1f tok/s, "
                        + "%d threads%n", r.promptTokens(), r.tokens().length, r.stopReason().name().toLowerCase(Locale.ROOT),
                        r.timeToFirstTokenMillis(), r.prefillTokensPerSecond(), r.decodeTokensPerSecond(), Vane.threads());
            }
        }
        return 0;
    }
}
