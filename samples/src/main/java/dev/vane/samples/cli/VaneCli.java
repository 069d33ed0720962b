package dev.vane.samples.cli;

import dev.vane.samples.attention.CrossModalDemo;
import dev.vane.samples.attention.StreamingDemo;
import dev.vane.samples.moe.MoeDemo;
import java.io.PrintStream;
import java.util.Arrays;

/** The {@code vane} command-line tool. */
public final class VaneCli {
    private VaneCli() {}

    static final String USAGE = """
            usage: vane <command>
              info        version, where libvane was loaded from, CPU variant, threads
              info FILE   a GGUF or safetensors file's metadata and tensor table
              quant-demo  quantize random weights into every format: bytes per weight and error
              demo        info, then quant-demo
              moe-demo    [tokens]: top-2 routing, expert load and time of a mixture-of-experts layer
              attention-demo: cross-attention of text queries over image-patch embeddings
              streaming-demo [tokens]: decode past the context with a 4-sink + 1024-window cache
              bench gemm  [--quick] [--json]: GEMM against peers and the machine ceilings
              bench moe   [--quick] [--json]: a Mixtral-shaped MoE layer against dense FFNs
              bench attention [--quick] [--json]: decode and prefill against the roofline
            """;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "demo" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        try {
            switch (command) {
                case "info" -> {
                    if (rest.length > 0) ModelInfoCommand.run(java.nio.file.Path.of(rest[0]), out);
                    else InfoCommand.run(out);
                }
                case "quant-demo" -> QuantDemoCommand.run(rest, out);
                case "demo" -> {
                    InfoCommand.run(out);
                    out.println();
                    QuantDemoCommand.run(rest, out);
                }
                case "moe-demo" -> MoeDemo.run(rest, out);
                case "attention-demo" -> CrossModalDemo.run(out);
                case "streaming-demo" -> StreamingDemo.run(rest, out);
                case "help", "-h", "--help" -> out.print(USAGE);
                default -> {
                    err.println("vane: unknown command '" + command + "'");
                    err.print(USAGE);
                    return 2;
                }
            }
            return 0;
        } catch (java.io.IOException e) {
            err.println("vane: " + e);
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("vane: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("vane: " + e.getMessage());
            return 1;
        }
    }
}
