package dev.vane.samples.cli;

import dev.vane.model.Model;
import dev.vane.server.ServerOptions;
import dev.vane.server.VaneServer;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** vane serve: the OpenAI-compatible server (server module) over one model, until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serve a model over HTTP (so far /health, /metrics, /v1/models, /v1/completions, /tokenize, /detokenize). "
                + "Loopback only unless --host says otherwise.")
final class ServeCommand implements Callable<Integer> {
    private final PrintStream err;

    @Mixin
    ModelChoice choice = new ModelChoice();

    @Option(names = "--host", paramLabel = "ADDR", description = "address to bind (default: ${DEFAULT-VALUE})", defaultValue = ServerOptions.DEFAULT_HOST)
    String host;

    @Option(names = "--port", paramLabel = "N", description = "TCP port, 0 = any free one (default: ${DEFAULT-VALUE})", defaultValue = "8080")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY", description = "require 'Authorization: Bearer KEY' on every request but /health "
            + "(default: the VANE_API_KEY environment variable, else none)")
    String apiKey;

    @Option(names = "--max-body-bytes", paramLabel = "N", description = "largest request body (default: ${DEFAULT-VALUE})", defaultValue = "1048576")
    long maxBodyBytes;

    @Option(names = "--parallel", paramLabel = "N", description = "generations stepped together (default: ${DEFAULT-VALUE})", defaultValue = "4")
    int parallel;

    @Option(names = "--queue", paramLabel = "N", description = "requests waiting for a slot before 429 (default: ${DEFAULT-VALUE})", defaultValue = "64")
    int queue;

    ServeCommand(PrintStream err) {
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        String key = apiKey != null ? apiKey : System.getenv("VANE_API_KEY");
        String id = choice.embedded() ? "vane-embedded" : choice.name().replaceFirst("\\.gguf$", "");
        ServerOptions options = new ServerOptions(host, port, Optional.ofNullable(key).filter(k -> !k.isEmpty()), maxBodyBytes, id, parallel, queue);
        try (Model m = choice.open();
             VaneServer server = VaneServer.start(m, options)) {
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }));
            err.printf(Locale.ROOT, "vane serve: %s as '%s' on http://%s:%d%s%n", m, id, host, server.port(),
                    options.apiKey().isPresent() ? " (API key required)" : "");
            stopped.await();
        }
        return 0;
    }
}
