package dev.vane.redteam;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The suites that ship in this module (resources), and loading a suite by name or by file. */
public final class Suites {
    /** The built-in suites, in the order a run takes them. */
    public static final List<String> BUILT_IN = List.of("jailbreak", "prompt-injection", "pii-exfiltration", "special-tokens", "harm");
    private static final String DIR = "/dev/vane/redteam/suites/";

    private Suites() {}

    /** A built-in suite's probes. */
    public static List<Probe> builtIn(String name) {
        if (!BUILT_IN.contains(name))
            throw new IllegalArgumentException("unknown suite '" + name + "'; expected one of " + String.join(", ", BUILT_IN) + ", or a suite file (.yaml, .yml, .json)");
        String resource = DIR + name + ".yaml";
        try (InputStream in = Suites.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("vane-redteam carries no " + resource + " (a damaged build)");
            return SuiteLoader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + ": " + e.getMessage(), e);
        }
    }

    /** Each spec a built-in suite's name or a suite file's path; all the probes, in order. */
    public static List<Probe> load(List<String> specs) {
        if (specs.isEmpty()) throw new IllegalArgumentException("no suites given; name built-in ones (" + String.join(", ", BUILT_IN) + ") or suite files");
        List<Probe> out = new ArrayList<>();
        for (String s : specs) out.addAll(load(s));
        return List.copyOf(out);
    }

    public static List<Probe> load(String spec) {
        if (BUILT_IN.contains(spec)) return builtIn(spec);
        Path p = Path.of(spec);
        if (Files.isRegularFile(p)) return SuiteLoader.load(p);
        throw new IllegalArgumentException("'" + spec + "' is neither a built-in suite (" + String.join(", ", BUILT_IN) + ") nor a suite file");
    }
}
