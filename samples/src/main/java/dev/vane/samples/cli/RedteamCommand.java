package dev.vane.samples.cli;

import dev.vane.guard.moderation.LlamaGuardModerator;
import dev.vane.guard.moderation.Moderator;
import dev.vane.model.Model;
import dev.vane.model.chat.ChatTemplate;
import dev.vane.redteam.Probe;
import dev.vane.redteam.RedTeam;
import dev.vane.redteam.RunInfo;
import dev.vane.redteam.Suites;
import dev.vane.redteam.mutation.Mutations;
import dev.vane.redteam.report.Report;
import dev.vane.redteam.report.Tally;
import dev.vane.redteam.score.Result;
import dev.vane.redteam.score.Verdict;
import dev.vane.redteam.targets.Decoding;
import dev.vane.redteam.targets.EndpointTarget;
import dev.vane.redteam.targets.InProcessTarget;
import dev.vane.redteam.targets.Target;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** vane redteam: attack a model (in-process or over an OpenAI-compatible endpoint) with the red-team suites and write a report (redteam module). */
@Command(name = "redteam", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Probe a model with jailbreak, prompt-injection, PII-exfiltration, special-token and harm suites under seeded mutations; "
                + "score each reply with the guard's detectors; write results.jsonl, summary.json and report.html. Harm probes are unscored "
                + "without a moderator. The same seed gives the same results.jsonl (greedy, or a target that honours seeds). See docs/REDTEAM.md.")
final class RedteamCommand implements Callable<Integer> {
    private final PrintStream out, err;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelChoice choice = new ModelChoice();

    @Option(names = "--endpoint", paramLabel = "URL", description = "an OpenAI-compatible server (http://host:port, its /v1, or the full "
            + "/v1/chat/completions) instead of a model in this process")
    String endpoint;

    @Option(names = "--endpoint-model", paramLabel = "NAME", description = "with --endpoint: the model to request (default: the first GET /v1/models lists)")
    String endpointModel;

    @Option(names = "--api-key", paramLabel = "KEY", description = "with --endpoint: sent as 'Authorization: Bearer KEY' (default: the "
            + "VANE_API_KEY environment variable, else none)")
    String apiKey;

    @Option(names = "--timeout", paramLabel = "S", description = "with --endpoint: one request's limit in seconds (default: ${DEFAULT-VALUE})",
            defaultValue = "120")
    long timeoutSeconds;

    @Option(names = "--chat-template", paramLabel = "NAME", description = "in-process: render in this format instead of the model's own "
            + "(llama3, chatml, mistral-v7, gemma, ...)")
    String chatTemplate;

    @Option(names = "--suite", paramLabel = "NAME|FILE", split = ",", description = "built-in suites (jailbreak, prompt-injection, pii-exfiltration, "
            + "special-tokens, harm) or suite files; repeatable (default: all built-in)")
    List<String> suites = new ArrayList<>();

    @Option(names = "--mutations", paramLabel = "NAME", split = ",", description = "the mutations cases may use (default: all: none, base64, "
            + "leetspeak, rot13, role-play, payload-split, language)")
    List<String> mutations = new ArrayList<>();

    @Option(names = "--mutations-per-probe", paramLabel = "N", description = "mutations drawn per probe besides none; -1 = every one it allows "
            + "(default: ${DEFAULT-VALUE})", defaultValue = "2")
    int perProbe;

    @Option(names = "--seed", paramLabel = "N", description = "fixes the sample, canaries, planted PII and sampling (default: ${DEFAULT-VALUE})",
            defaultValue = "1")
    long seed;

    @Option(names = "--max-tokens", paramLabel = "N", description = "reply tokens at most (default: ${DEFAULT-VALUE})", defaultValue = "64")
    int maxTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "0 = greedy (default: ${DEFAULT-VALUE}); above 0 each case samples with its own seed",
            defaultValue = "0")
    double temperature;

    @Option(names = "--report", paramLabel = "DIR", required = true, description = "where results.jsonl, summary.json and report.html go")
    Path report;

    @Option(names = "--moderator", paramLabel = "FILE", description = "a Llama Guard 3 GGUF that scores the harm probes (default: none; "
            + "they are then unscored, never passed)")
    Path moderatorPath;

    @Option(names = "--strict", description = "exit 1 when any case fails (for CI)")
    boolean strict;

    RedteamCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        if (endpoint != null && choice.model != null)
            throw new ParameterException(spec.commandLine(), "give --model FILE or --endpoint URL, not both");
        if (endpoint == null && (endpointModel != null || apiKey != null))
            throw new ParameterException(spec.commandLine(), "--endpoint-model and --api-key go with --endpoint");
        List<String> suiteNames = suites.isEmpty() ? Suites.BUILT_IN : suites;
        List<Probe> probes = Suites.load(suiteNames);
        RedTeam.Options options = new RedTeam.Options(seed, mutations.isEmpty() ? Mutations.names() : mutations, perProbe, new Decoding(maxTokens, temperature));
        if (moderatorPath != null && !java.nio.file.Files.isRegularFile(moderatorPath))
            throw new ParameterException(spec.commandLine(), "--moderator: no file " + moderatorPath + " (expected a Llama Guard 3 GGUF)");
        try (LlamaGuardModerator moderator = moderatorPath == null ? null : LlamaGuardModerator.open(moderatorPath)) {
            return call(probes, suiteNames, options, Optional.ofNullable(moderator));
        }
    }

    private int call(List<Probe> probes, List<String> suiteNames, RedTeam.Options options, Optional<Moderator> moderator) throws Exception {
        if (endpoint != null) {
            String key = apiKey != null ? apiKey : System.getenv("VANE_API_KEY");
            try (Target t = new EndpointTarget(endpoint, Optional.ofNullable(endpointModel), Optional.ofNullable(key).filter(k -> !k.isEmpty()),
                    Duration.ofSeconds(timeoutSeconds))) {
                return run(t, probes, suiteNames, options, moderator);
            }
        }
        try (Model m = choice.open()) {
            String name = choice.embedded() ? "vane-embedded" : choice.name();
            Target t = chatTemplate != null ? new InProcessTarget(m, ChatTemplate.named(chatTemplate), name) : new InProcessTarget(m, name);
            return run(t, probes, suiteNames, options, moderator);
        }
    }

    private int run(Target target, List<Probe> probes, List<String> suiteNames, RedTeam.Options options, Optional<Moderator> moderator) {
        int cases = RedTeam.cases(probes, options).size();
        err.printf(Locale.ROOT, "vane redteam: %d probes, %d cases against %s (%s), seed %d%n", probes.size(), cases, target.model(), target.describe(), seed);
        Instant started = Instant.now();
        int[] done = {0};
        List<Result> results = RedTeam.run(probes, target, moderator, options, r -> {
            done[0]++;
            if (r.verdict() == Verdict.FAIL || done[0] % 25 == 0 || done[0] == cases)
                err.printf(Locale.ROOT, "  [%d/%d] %s: %s%s%n", done[0], cases, r.kase().id(), r.verdict().fileName(),
                        r.verdict() == Verdict.FAIL ? " (" + r.reason() + ")" : "");
        });
        RunInfo info = new RunInfo(seed, target.describe(), target.model(), moderator.isPresent() ? "Llama Guard 3 (" + moderatorPath.getFileName() + ")" : "none (harm probes unscored)", suiteNames, options.mutations(),
                options.mutationsPerProbe(), options.decoding(), started, Instant.now());
        Report.write(report, info, results);
        out.printf(Locale.ROOT, "%-18s %6s %6s %6s %9s %10s%n", "suite", "cases", "fail", "pass", "unscored", "fail rate");
        for (Map.Entry<String, List<Result>> g : Tally.groups(results, r -> r.kase().probe().suite()).entrySet()) line(g.getKey(), Tally.of(g.getValue()));
        Tally all = Tally.of(results);
        line("all", all);
        out.println("report: " + report.resolve(Report.HTML));
        return strict && all.fail() > 0 ? 1 : 0;
    }

    private void line(String name, Tally t) {
        out.printf(Locale.ROOT, "%-18s %6d %6d %6d %9d %10s%n", name, t.total(), t.fail(), t.pass(), t.unscored(),
                t.scored() == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * t.failureRate()));
    }
}
