package dev.vane.samples.cli;

import dev.vane.samples.attention.CrossModalDemo;
import dev.vane.samples.attention.StreamingDemo;
import dev.vane.samples.moe.MoeDemo;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * The {@code vane} command-line tool (picocli): model commands (run, serve, redteam, info, generate-model, quantize) and
 * the sample apps. {@code vane bench ...} is dispatched by the launcher script to the bench module.
 */
@Command(name = "vane", mixinStandardHelpOptions = true, versionProvider = VaneCli.Version.class,
        description = "Native LLM kernels for the JVM: run models, inspect model files, try the kernels.",
        footer = {"", "Benchmarks: vane bench gemm|moe|attention|model [--quick] [--json] (see docs/BENCHMARKS.md)."})
public final class VaneCli implements Callable<Integer> {
    private final PrintStream out;

    private VaneCli(PrintStream out) {
        this.out = out;
    }

    /** No command: the demo. */
    @Override
    public Integer call() throws Exception {
        InfoCommand.run(out);
        out.println();
        QuantDemoCommand.run(new String[0], out);
        return 0;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new VaneCli(out));
        cli.addSubcommand("run", new RunCommand(out, err));
        cli.addSubcommand("serve", new ServeCommand(err));
        cli.addSubcommand("redteam", new RedteamCommand(out, err));
        cli.addSubcommand("info", new Info(out));
        cli.addSubcommand("generate-model", new GenerateModelCommand(out));
        cli.addSubcommand("quantize", new QuantizeCommand(out));
        CommandLine eval = new CommandLine(new Eval());
        eval.addSubcommand("perplexity", new PerplexityCommand(out));
        cli.addSubcommand("eval", eval);
        demo(cli, out, "demo", "info, then quant-demo (what `vane` with no command does)");
        demo(cli, out, "quant-demo", "[rows cols]: quantize random weights into every format: bytes per weight and error");
        demo(cli, out, "moe-demo", "[tokens]: top-2 routing, expert load and time of a mixture-of-experts layer");
        demo(cli, out, "attention-demo", "cross-attention of text queries over image-patch embeddings");
        demo(cli, out, "streaming-demo", "[tokens]: decode past the context with a 4-sink + 1024-window cache");
        cli.setUnmatchedOptionsArePositionalParams(true);  // "quant-demo -3" reaches the demo, which says what it expects
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cli.setParameterExceptionHandler((e, a) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("vane: " + e.getMessage());
            c.usage(c.getErr());
            return 2;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("vane: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cli.execute(args);
    }

    private static void demo(CommandLine cli, PrintStream out, String name, String description) {
        CommandLine sub = new CommandLine(new Demo(out, name));
        sub.getCommandSpec().usageMessage().description(description);
        cli.addSubcommand(name, sub);
    }

    @Command(name = "eval", mixinStandardHelpOptions = true, description = "Measure a model's quality: eval perplexity --model PATH --text FILE.")
    static final class Eval implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "eval needs a subcommand: perplexity");
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Vane " + dev.vane.Vane.version()};
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "Without FILE: version, where libvane was loaded from, CPU variant, threads. With FILE: a GGUF or safetensors "
                    + "file's metadata and tensor table.")
    static final class Info implements Callable<Integer> {
        private final PrintStream out;

        @Parameters(arity = "0..1", paramLabel = "FILE", description = "a .gguf or .safetensors file")
        Path file;

        Info(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            if (file != null) ModelInfoCommand.run(file, out);
            else InfoCommand.run(out);
            return 0;
        }
    }

    /** The sample apps, which take plain positional arguments. */
    @Command(mixinStandardHelpOptions = true)
    static final class Demo implements Callable<Integer> {
        private final PrintStream out;
        private final String name;

        @Parameters(arity = "0..*", paramLabel = "ARG")
        List<String> args = new ArrayList<>();

        Demo(PrintStream out, String name) {
            this.out = out;
            this.name = name;
        }

        @Override
        public Integer call() throws Exception {
            String[] a = args.toArray(String[]::new);
            switch (name) {
                case "demo" -> {
                    InfoCommand.run(out);
                    out.println();
                    QuantDemoCommand.run(a, out);
                }
                case "quant-demo" -> QuantDemoCommand.run(a, out);
                case "moe-demo" -> MoeDemo.run(a, out);
                case "attention-demo" -> CrossModalDemo.run(out);
                case "streaming-demo" -> StreamingDemo.run(a, out);
                default -> throw new IllegalStateException(name);
            }
            return 0;
        }
    }
}
