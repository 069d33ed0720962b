package dev.vane.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One in-process run of a bench command (its {@code run(args, out, err)}): the exit code and what it printed. */
public record CliRun(int exit, String out, String err) {
    /** A command's entry point, as Soak::run and GuardBench::run are. */
    public interface Command {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    public static CliRun of(Command command, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int exit = command.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Asserts that the command refused its options (exit 2) with a message holding every one of parts. */
    public void assertRefused(String... parts) {
        assertEquals(2, exit, "exit code of a refused run; it printed:\n" + out + err);
        for (String p : parts) assertTrue(err.contains(p), () -> "expected '" + p + "' in:\n" + err);
    }
}
