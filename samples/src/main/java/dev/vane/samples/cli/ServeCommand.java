package dev.vane.samples.cli;

import dev.vane.guard.Policy;
import dev.vane.guard.PolicyLoader;
import dev.vane.model.Model;
import dev.vane.server.PolicyBlock;
import dev.vane.server.ServerOptions;
import dev.vane.server.VaneServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** vane serve: the OpenAI-compatible server (server module) over one model, until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serve a model over HTTP, OpenAI-compatible (/v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models, "
                + "/tokenize, /detokenize, /health, /metrics). Loopback only unless --host says otherwise. SIGTERM drains the requests in flight, then exits.")
final class ServeCommand implements Callable<Integer> {
    private final PrintStream err;

    @Mixin
    ModelChoice choice = new ModelChoice();

    @Option(names = "--host", paramLabel = "ADDR", description = "address to bind (default: ${DEFAULT-VALUE})", defaultValue = ServerOptions.DEFAULT_HOST)
    String host;

    @Option(names = "--port", paramLabel = "N", description = "TCP port, 0 = any free one (default: ${DEFAULT-VALUE})", defaultValue = "8080")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY", description = "require 'Authorization: Bearer KEY' on every request but /health and /metrics "
            + "(default: the VANE_API_KEY environment variable, else none)")
    String apiKey;

    @Option(names = "--max-body-bytes", paramLabel = "N", description = "largest request body (default: ${DEFAULT-VALUE})", defaultValue = "1048576")
    long maxBodyBytes;

    @Option(names = "--parallel", paramLabel = "N", description = "generations stepped together (default: ${DEFAULT-VALUE})", defaultValue = "4")
    int parallel;

    @Option(names = "--queue", paramLabel = "N", description = "requests waiting for a slot before 429 (default: ${DEFAULT-VALUE})", defaultValue = "64")
    int queue;

    @Option(names = "--max-tokens", paramLabel = "N", description = "most tokens one request may generate (default: ${DEFAULT-VALUE})",
            defaultValue = "2048")
    int maxTokens;

    @Option(names = "--context", paramLabel = "N", description = "positions per request, prompt and reply (default: the model's, at most 4096)",
            defaultValue = "0")
    int context;

    @Option(names = "--request-timeout", paramLabel = "S", description = "a request's deadline in seconds: waiting past it gets 504, "
            + "generating past it stops (default: ${DEFAULT-VALUE})", defaultValue = "600")
    long requestTimeout;

    @Option(names = "--policy", paramLabel = "FILE", description = "a guard policy (YAML or JSON, docs/GUARD.md): prompts and messages are checked "
            + "and redacted or refused, replies redacted or stopped as they stream, findings counted in /metrics")
    Path policy;

    @Option(names = "--policy-block", paramLabel = "error|refusal", description = "how a request the policy blocks on input is answered: "
            + "error (400, code content_policy_violation) or refusal (200, the block message, finish_reason content_filter); default: error")
    String policyBlock;

    @Option(names = "--drain-seconds", paramLabel = "S", description = "on SIGTERM, how long requests in flight may run on (default: ${DEFAULT-VALUE})",
            defaultValue = "30")
    int drainSeconds;

    ServeCommand(PrintStream err) {
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        String key = apiKey != null ? apiKey : System.getenv("VANE_API_KEY");
        String id = choice.embedded() ? "vane-embedded" : choice.name().replaceFirst("\\.gguf$", "");
        if (policyBlock != null && policy == null) throw new IllegalArgumentException("--policy-block needs --policy FILE");
        PolicyBlock block = policyBlock == null ? PolicyBlock.ERROR : PolicyBlock.parse(policyBlock);
        try (Model m = choice.open()) {
            // The model's own BOS and EOS texts join the policy's special-token rules.
            Optional<Policy> guard = policy == null ? Optional.empty()
                    : Optional.of(PolicyLoader.load(policy, List.of(m.specialTokenTexts().bos(), m.specialTokenTexts().eos())));
            ServerOptions options = new ServerOptions(host, port, Optional.ofNullable(key).filter(k -> !k.isEmpty()), maxBodyBytes, id, parallel, queue,
                    maxTokens, context, java.time.Duration.ofSeconds(requestTimeout), guard, block);
            serve(m, options, id);
        }
        return 0;
    }

    private void serve(Model m, ServerOptions options, String id) throws InterruptedException {
        try (VaneServer server = VaneServer.start(m, options)) {
            // SIGTERM and SIGINT are handled, not left to the JVM's shutdown: the requests in flight
            // drain first, then the command returns and the process exits 0.
            CountDownLatch stop = new CountDownLatch(1);
            for (String name : new String[] {"TERM", "INT"}) sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> stop.countDown());
            err.printf(Locale.ROOT, "vane serve: %s as '%s' on http://%s:%d%s%s%n", m, id, host, server.port(),
                    options.apiKey().isPresent() ? " (API key required)" : "",
                    options.policy().isPresent() ? " (guard policy " + policy + ", " + options.policy().get().rules().size() + " rules, blocked input answered as "
                            + options.policyBlock().option() + ")" : "");
            stop.await();
            err.println("vane serve: stopping; draining the requests in flight (up to " + drainSeconds + " s)");
            boolean drained = server.shutdown(java.time.Duration.ofSeconds(drainSeconds));
            err.println(drained ? "vane serve: drained, stopped" : "vane serve: stopped after " + drainSeconds + " s with requests still running");
        }
    }
}
