package dev.vane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads libvane the way users do: a new JVM whose class path holds only the packaged jars
 * (vane-api, vane-bindings, vane-native:linux-x86_64); no target/classes, no library path.
 */
class NativeLoadingIT {
    static String apiJar, bindingsJar, nativeJar;
    @TempDir
    static Path tmp;
    static Path probe;

    @BeforeAll
    static void locateJars() throws IOException {
        apiJar = jar("vane.it.apiJar");
        bindingsJar = jar("vane.it.bindingsJar");
        nativeJar = jar("vane.it.nativeJar");
        probe = tmp.resolve("Probe.java");
        Files.writeString(probe, """
                public class Probe {
                    public static void main(String[] args) {
                        System.out.println("version=" + dev.vane.Vane.version());
                        System.out.println("path=" + dev.vane.Vane.libraryPath());
                        System.out.println("source=" + dev.vane.Vane.librarySource());
                        System.out.println("q8=" + dev.vane.quant.Quantizer.quantize(dev.vane.quant.QuantFormat.Q8_0, new float[32], 1, 32).length);
                    }
                }
                """);
    }

    private static String jar(String property) {
        String path = System.getProperty(property);
        assertTrue(path != null && Files.isRegularFile(Path.of(path)) && path.endsWith(".jar"), property + " = " + path);
        return path;
    }

    record Result(int exit, String out) {}

    static Result runProbe(List<String> jvmOptions, String... classPath) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(String.join(java.io.File.pathSeparator, classPath));
        cmd.add(probe.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe JVM timed out");
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void loadsFromTheClassifierJarAlone() throws Exception {
        Path workdir = tmp.resolve("cache-single");
        Result r = runProbe(List.of("-Dvane.native.workdir=" + workdir), apiJar, bindingsJar, nativeJar);
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("source=jar:file:"), r.out());
        assertTrue(r.out().contains(nativeJar), r.out());
        assertTrue(r.out().contains("path=" + workdir), r.out());
        assertTrue(r.out().contains("q8=34"), r.out());
        assertTrue(!r.out().contains("WARNING"), "no native-access warnings: " + r.out());
    }

    @Test
    void jvmsStartingTogetherShareOneExtractedCopy() throws Exception {
        Path workdir = tmp.resolve("cache-race");
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            processes.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-Dvane.native.workdir=" + workdir,
                    "-cp", String.join(java.io.File.pathSeparator, apiJar, bindingsJar, nativeJar), probe.toString())
                    .redirectErrorStream(true).start());
        }
        for (Process p : processes) {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("q8=34"), out);
        }
        try (Stream<Path> files = Files.walk(workdir)) {
            List<Path> all = files.filter(Files::isRegularFile).toList();
            assertEquals(1, all.size(), "one library, no leftover temporary files: " + all);
        }
    }

    @Test
    void withoutTheNativeJarTheErrorSaysWhereItLooked() throws Exception {
        Result r = runProbe(List.of(), apiJar, bindingsJar);
        assertNotEquals(0, r.exit());
        assertTrue(r.out().contains("dev.vane.bindings.NativeLibraryException: Could not load libvane"), r.out());
        assertTrue(r.out().contains("-Dvane.library.path: not set"), r.out());
        assertTrue(r.out().contains("add the dependency dev.vane:vane-native:"), r.out());
        assertTrue(!r.out().contains("UnsatisfiedLinkError") && !r.out().contains("ExceptionInInitializerError"), r.out());
    }

    @Test
    void deniedNativeAccessIsExplained() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--illegal-native-access=deny", "-Dvane.native.workdir=" + tmp.resolve("cache-denied"),
                "-cp", String.join(java.io.File.pathSeparator, apiJar, bindingsJar, nativeJar), probe.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe JVM timed out");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertNotEquals(0, p.exitValue(), out);
        assertTrue(out.contains("Could not load libvane: the JVM denies native access to unnamed module"), out);
        assertTrue(out.contains("run java with --enable-native-access=ALL-UNNAMED"), out);
    }

    @Test
    void aWrongLibraryPathIsReportedAndNotSilentlyReplaced() throws Exception {
        Path missing = tmp.resolve("no-such-dir");
        Result r = runProbe(List.of("-Dvane.library.path=" + missing), apiJar, bindingsJar, nativeJar);
        assertNotEquals(0, r.exit());
        assertTrue(r.out().contains("-Dvane.library.path=" + missing), r.out());
        assertTrue(r.out().contains("no such file"), r.out());

        Path notALibrary = Files.writeString(tmp.resolve("libvane.so"), "not an ELF file");
        r = runProbe(List.of("-Dvane.library.path=" + notALibrary), apiJar, bindingsJar, nativeJar);
        assertNotEquals(0, r.exit());
        assertTrue(r.out().contains("the system loader refused it"), r.out());
    }

    @Test
    void aHijackedDefaultCacheDirectoryIsNotUsed() throws Exception {
        // Another user pre-created the default cache location as a link to a world-writable directory.
        Path tmpdir = Files.createDirectory(tmp.resolve("shared-tmp"));
        Path trap = Files.createDirectory(tmp.resolve("trap"));
        Files.setPosixFilePermissions(trap, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        String user = System.getProperty("user.name").replaceAll("[^A-Za-z0-9._-]", "_");
        Files.createSymbolicLink(tmpdir.resolve("vane-native-" + user), trap);
        Result r = runProbe(List.of("-Djava.io.tmpdir=" + tmpdir), apiJar, bindingsJar, nativeJar);
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("q8=34"), r.out());
        try (Stream<Path> files = Files.walk(trap)) {
            assertEquals(List.of(trap), files.toList(), "nothing may be written through the link");
        }
    }

    @Test
    void anUnwritableWorkdirIsExplained() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");  // a file where a directory must go
        Result r = runProbe(List.of("-Dvane.native.workdir=" + file), apiJar, bindingsJar, nativeJar);
        assertNotEquals(0, r.exit());
        assertTrue(r.out().contains("set -Dvane.native.workdir to a writable directory"), r.out());
    }
}
