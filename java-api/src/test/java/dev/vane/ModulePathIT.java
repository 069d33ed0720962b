package dev.vane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jars on the module path, used by a named module of its own (module probe, which
 * requires dev.vane), compiled with javac and run with java in new processes: where libvane is
 * found from, and what the module declarations keep out of reach.
 */
class ModulePathIT {
    static final String FLAG = "--enable-native-access=dev.vane,dev.vane.bindings";
    static final String NATIVE_MODULE = "dev.vane.libvane.linux.x86_64";
    static String apiJar, bindingsJar, nativeJar;
    @TempDir
    static Path tmp;
    static Path probeClasses;

    record Result(int exit, String out) {}

    @BeforeAll
    static void compileProbe() throws Exception {
        apiJar = jar("vane.it.apiJar");
        bindingsJar = jar("vane.it.bindingsJar");
        nativeJar = jar("vane.it.nativeJar");
        Path src = tmp.resolve("probe-src");
        write(src.resolve("module-info.java"), "module probe { requires dev.vane; }");
        write(src.resolve("probe/Main.java"), """
                package probe;

                public class Main {
                    public static void main(String[] args) throws Exception {
                        if (args.length > 0 && args[0].equals("reflect")) {
                            reflect("dev.vane.quant.Fp8", "encodeE4M3", float.class, 0.5f);
                            reflect("dev.vane.internal.Native", "check", int.class, 0);
                            reflect("dev.vane.bindings.VaneStatus", "name", int.class, 0);
                            reflect("dev.vane.model.json.Json", "parse", String.class, "{}");
                            return;
                        }
                        System.out.println("source=" + dev.vane.Vane.librarySource());
                        System.out.println("q8=" + dev.vane.quant.Quantizer.quantize(dev.vane.quant.QuantFormat.Q8_0, new float[32], 1, 32).length);
                        System.out.println("module=" + dev.vane.Vane.class.getModule().getName());
                    }

                    static void reflect(String type, String method, Class<?> param, Object arg) throws Exception {
                        try {
                            Object r = Class.forName(type).getMethod(method, param).invoke(null, arg);
                            System.out.println(type + ": accessible, returned " + r);
                        } catch (IllegalAccessException e) {
                            System.out.println(type + ": IllegalAccessException: " + e.getMessage());
                        }
                    }
                }
                """);
        probeClasses = tmp.resolve("probe-classes");
        Result r = javac(src, probeClasses, modulePath(apiJar, bindingsJar));
        assertEquals(0, r.exit(), "the probe compiles against the exported packages: " + r.out());
    }

    @Test
    void loadsFromTheClassifierJarOnTheModulePathThatNoModuleRequires() throws Exception {
        // Nothing requires the native jar's module, so the JVM leaves it out of the boot layer.
        Result r = java(List.of(FLAG), modulePath(probeClasses.toString(), apiJar, bindingsJar, nativeJar), null);
        assertLoadedFromTheNativeJar(r);
    }

    @Test
    void loadsFromTheClassifierJarAsAResolvedModule() throws Exception {
        Result r = java(List.of(FLAG, "--add-modules", NATIVE_MODULE),
                modulePath(probeClasses.toString(), apiJar, bindingsJar, nativeJar), null);
        assertLoadedFromTheNativeJar(r);
    }

    @Test
    void loadsFromTheClassifierJarOnTheClassPathBesideTheModules() throws Exception {
        Result r = java(List.of(FLAG), modulePath(probeClasses.toString(), apiJar, bindingsJar), nativeJar);
        assertLoadedFromTheNativeJar(r);
    }

    @Test
    void withoutTheNativeJarTheErrorNamesTheModulePathToo() throws Exception {
        Result r = java(List.of(FLAG), modulePath(probeClasses.toString(), apiJar, bindingsJar), null);
        assertNotEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("Could not load libvane"), r.out());
        assertTrue(r.out().contains("module " + NATIVE_MODULE + " on the module path: not found"), r.out());
        assertTrue(r.out().contains("add the dependency dev.vane:vane-native:"), r.out());
    }

    @Test
    void deniedNativeAccessIsExplained() throws Exception {
        // The SDK's own module alone is not enough: dev.vane.bindings makes the downcalls.
        Result r = java(List.of("--illegal-native-access=deny", "--enable-native-access=dev.vane"),
                modulePath(probeClasses.toString(), apiJar, bindingsJar, nativeJar), null);
        assertNotEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("Could not load libvane: the JVM denies native access to module dev.vane.bindings"), r.out());
        assertTrue(r.out().contains("run java with " + FLAG), r.out());
    }

    @Test
    void internalPackagesAreNotExportedToReflection() throws Exception {
        Result r = java(List.of(FLAG, "-Dvane.native.workdir=" + tmp.resolve("cache")),
                modulePath(probeClasses.toString(), apiJar, bindingsJar, nativeJar), null, "reflect");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("dev.vane.quant.Fp8: accessible"), "an exported package, for contrast: " + r.out());
        for (String type : List.of("dev.vane.internal.Native", "dev.vane.bindings.VaneStatus", "dev.vane.model.json.Json")) {
            String pkg = type.substring(0, type.lastIndexOf('.'));
            assertTrue(r.out().contains(type + ": IllegalAccessException: ") && r.out().contains("does not export " + pkg + " to module probe"),
                    type + " must be out of reach: " + r.out());
        }
    }

    @Test
    void internalPackagesDoNotCompile() throws Exception {
        for (String imported : List.of("dev.vane.internal.Native", "dev.vane.bindings.VaneStatus", "dev.vane.model.json.Json")) {
            String pkg = imported.substring(0, imported.lastIndexOf('.'));
            Path src = tmp.resolve("bad-" + pkg);
            // It reads dev.vane.bindings too, so the only thing in the way is the export.
            write(src.resolve("module-info.java"), "module bad { requires dev.vane; requires dev.vane.bindings; }");
            write(src.resolve("bad/Main.java"), "package bad;\nimport " + imported + ";\npublic class Main {}\n");
            Result r = javac(src, tmp.resolve("bad-classes-" + pkg), modulePath(apiJar, bindingsJar));
            assertNotEquals(0, r.exit(), imported + " compiled from another module: " + r.out());
            assertTrue(r.out().contains("package " + pkg + " is not visible") && r.out().contains("does not export it"), r.out());
        }
    }

    private static void assertLoadedFromTheNativeJar(Result r) {
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("source=jar:file:") && r.out().contains(nativeJar + "!/dev/vane/native/linux-x86_64/libvane.so"), r.out());
        assertTrue(r.out().contains("q8=34"), r.out());
        assertTrue(r.out().contains("module=dev.vane"), "the SDK ran as a named module: " + r.out());
        assertFalse(r.out().contains("WARNING"), "no warnings with " + FLAG + ": " + r.out());
    }

    private static Result javac(Path src, Path out, String modulePath) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tool("javac"), "-d", out.toString(), "--module-path", modulePath));
        try (var files = Files.walk(src)) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(p -> cmd.add(p.toString()));
        }
        return run(cmd);
    }

    private static Result java(List<String> options, String modulePath, String classPath, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tool("java")));
        cmd.add("-Dvane.native.workdir=" + tmp.resolve("native-cache"));
        cmd.addAll(options);
        cmd.addAll(List.of("--module-path", modulePath));
        if (classPath != null) cmd.addAll(List.of("-cp", classPath));
        cmd.addAll(List.of("-m", "probe/probe.Main"));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private static Result run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private static String modulePath(String... entries) {
        return String.join(File.pathSeparator, entries);
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static String jar(String property) {
        String path = System.getProperty(property);
        assertTrue(path != null && Files.isRegularFile(Path.of(path)) && path.endsWith(".jar"), property + " = " + path);
        return path;
    }
}
