package dev.vane.bindings;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.net.URI;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Finds and loads libvane, once per JVM.
 *
 * <p>Order: {@code -Dvane.library.path} (a directory holding libvane.so, or the file itself) when
 * set, and then nothing else, so an explicit choice is never silently replaced; otherwise the
 * {@code linux-x86_64} classifier jar on the class path or the module path, whose library is extracted once per
 * version and content hash into {@code -Dvane.native.workdir} (default
 * {@code java.io.tmpdir/vane-native-USER}). Extraction writes a private temporary file and
 * renames it into place atomically, so JVMs starting together never see a partial file.
 */
@SuppressWarnings("restricted")  // loading the library is this class's job
public final class NativeLibrary {
    public static final String LIBRARY_PATH_PROPERTY = "vane.library.path";
    public static final String WORKDIR_PROPERTY = "vane.native.workdir";
    static final String LIBRARY_FILE = "libvane.so";

    private static final Properties BUILD = buildProperties();
    /** The libvane version these bindings were written for. */
    public static final String EXPECTED_VERSION = BUILD.getProperty("native.version");
    public static final String CLASSIFIER = BUILD.getProperty("native.classifier");
    static final String RESOURCE = "/dev/vane/native/" + CLASSIFIER + "/" + LIBRARY_FILE;
    /** The classifier jar's module name on the module path (its Automatic-Module-Name). */
    public static final String NATIVE_MODULE = BUILD.getProperty("native.module");

    /** A loaded library: its symbols and where it came from. */
    public record Loaded(SymbolLookup symbols, Path path, String source) {}

    private static Loaded loaded;
    private static NativeLibraryException failure;

    private NativeLibrary() {}

    /** The loaded library; loads it on first use. Throws the same explanation on every call if it cannot. */
    public static synchronized Loaded load() {
        if (loaded != null) return loaded;
        if (failure == null) {
            try {
                loaded = locateAndLoad();
                return loaded;
            } catch (NativeLibraryException e) {
                failure = e;
            }
        }
        throw new NativeLibraryException(failure.getMessage(), failure);
    }

    private static Loaded locateAndLoad() {
        List<String> tried = new ArrayList<>();
        String explicit = System.getProperty(LIBRARY_PATH_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            try {
                Path p = Path.of(explicit);
                Path file = Files.isDirectory(p) ? p.resolve(LIBRARY_FILE) : p;
                return open(file, "-D" + LIBRARY_PATH_PROPERTY + "=" + explicit);
            } catch (NativeAccessDenied e) {
                throw new NativeLibraryException(e.getMessage(), e.getCause());
            } catch (RuntimeException e) {
                tried.add("-D" + LIBRARY_PATH_PROPERTY + "=" + explicit + ": " + e.getMessage()
                        + " (an explicit library path is used alone; unset it to use the classifier jar)");
                throw notFound(tried);
            }
        }
        tried.add("-D" + LIBRARY_PATH_PROPERTY + ": not set");

        String os = System.getProperty("os.name", "?");
        String arch = System.getProperty("os.arch", "?");
        if (!platformSupported(os, arch)) {
            tried.add("classifier jar " + CLASSIFIER + ": this JVM runs on " + os + "/" + arch
                    + ", and Vane ships native code for " + CLASSIFIER + " only; build libvane from source"
                    + " (cmake -S . -B build && cmake --build build) and pass -D" + LIBRARY_PATH_PROPERTY);
            throw notFound(tried);
        }
        URL resource = classLoaderResource();
        if (resource == null) resource = modulePathResource(tried);
        if (resource == null) {
            tried.add("class path resource " + RESOURCE + ": not found; add the dependency"
                    + " dev.vane:vane-native:" + EXPECTED_VERSION + ":jar:" + CLASSIFIER);
            throw notFound(tried);
        }
        Path extracted;
        try {
            extracted = extract(resource);
        } catch (IOException | UncheckedIOException | SecurityException | InvalidPathException e) {
            tried.add("extracting " + resource + " into the cache directory: " + e
                    + "; set -D" + WORKDIR_PROPERTY + " to a writable directory");
            throw notFound(tried);
        }
        try {
            return open(extracted, resource.toString());
        } catch (NativeAccessDenied e) {
            throw new NativeLibraryException(e.getMessage(), e.getCause());
        } catch (RuntimeException e) {
            tried.add("loading " + extracted + " (from " + resource + "): " + e.getMessage()
                    + "; if that directory is on a noexec mount, set -D" + WORKDIR_PROPERTY
                    + " to one that allows executables");
            throw notFound(tried);
        }
    }

    /**
     * The library as a resource of this class's loader: the classifier jar on the class path, or
     * on the module path once its module is in the boot layer. Class.getResource would look inside
     * this module alone when it is named; the loader sees the other modules' resources that are
     * not encapsulated, and dev/vane/native/linux-x86_64 is not a package name, so it never is.
     */
    private static URL classLoaderResource() {
        ClassLoader loader = NativeLibrary.class.getClassLoader();
        if (loader == null) loader = ClassLoader.getSystemClassLoader();
        return loader.getResource(RESOURCE.substring(1));
    }

    /**
     * The library inside the classifier jar on {@code --module-path} that the JVM left out of the
     * boot layer because no module requires it (none does: -Dvane.library.path may replace it, and
     * other platforms will have other jars). Read straight from the jar, as from the class path.
     */
    private static URL modulePathResource(List<String> tried) {
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath == null || modulePath.isBlank()) return null;
        List<Path> entries = new ArrayList<>();
        try {
            for (String entry : modulePath.split(java.io.File.pathSeparator)) {
                if (!entry.isBlank()) entries.add(Path.of(entry));
            }
            Optional<ModuleReference> module = ModuleFinder.of(entries.toArray(Path[]::new)).find(NATIVE_MODULE);
            if (module.isEmpty()) {
                tried.add("module " + NATIVE_MODULE + " on the module path: not found");
                return null;
            }
            try (ModuleReader reader = module.get().open()) {
                Optional<URI> uri = reader.find(RESOURCE.substring(1));
                if (uri.isEmpty()) {
                    tried.add("module " + NATIVE_MODULE + " (" + module.get().location().orElse(null)
                            + "): it holds no " + RESOURCE);
                    return null;
                }
                return uri.get().toURL();
            }
        } catch (IOException | FindException | IllegalArgumentException | SecurityException e) {
            tried.add("module " + NATIVE_MODULE + " on the module path " + modulePath + ": " + e);
            return null;
        }
    }

    static boolean platformSupported(String os, String arch) {
        String a = arch.toLowerCase(Locale.ROOT);
        return os.toLowerCase(Locale.ROOT).startsWith("linux") && (a.equals("amd64") || a.equals("x86_64"));
    }

    private static NativeLibraryException notFound(List<String> tried) {
        StringBuilder sb = new StringBuilder("Could not load libvane (Vane's native library). Tried:");
        for (String t : tried) sb.append("\n  - ").append(t);
        return new NativeLibraryException(sb.toString());
    }

    /** Loads the file and checks it is the libvane version these bindings expect. */
    private static Loaded open(Path file, String source) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("no such file");
        SymbolLookup symbols;
        try {
            symbols = SymbolLookup.libraryLookup(file, Arena.global());
        } catch (IllegalCallerException e) {
            throw new NativeAccessDenied(e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the system loader refused it: " + e.getMessage(), e);
        }
        String version = VersionProbe.version(symbols);
        if (!version.equals(EXPECTED_VERSION)) {
            throw new IllegalArgumentException("it is libvane " + version + " but these bindings need "
                    + EXPECTED_VERSION + "; use matching vane-bindings and vane-native versions");
        }
        return new Loaded(symbols, file.toAbsolutePath(), source);
    }

    /** The JVM runs with --illegal-native-access=deny and this module may not call native code. */
    private static final class NativeAccessDenied extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NativeAccessDenied(IllegalCallerException cause) {
            super("Could not load libvane: the JVM denies native access to " + NativeLibrary.class.getModule()
                    + " (" + cause.getMessage() + "); run java with --enable-native-access="
                    + (NativeLibrary.class.getModule().isNamed() ? "dev.vane,dev.vane.bindings" : "ALL-UNNAMED"), cause);
        }
    }

    static Path workdir() {
        String configured = System.getProperty(WORKDIR_PROPERTY);
        if (configured != null && !configured.isBlank()) return Path.of(configured);
        return Path.of(System.getProperty("java.io.tmpdir"), "vane-native-" + userName().replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    /**
     * Copies the library out of the jar once per content hash; safe when JVMs race. Only a
     * directory that no other user can write is trusted: otherwise someone could swap the file
     * between our check and the system loader opening it. A shared default location that fails
     * that test is replaced by a fresh private temporary directory (no caching, but safe).
     */
    private static Path extract(URL resource) throws IOException {
        byte[] bytes;
        try (InputStream in = resource.openStream()) {
            bytes = in.readAllBytes();
        }
        String hash = sha256(bytes);
        String versioned = EXPECTED_VERSION + "-" + hash.substring(0, 16);
        Path dir;
        try {
            Path base = workdir();
            if (System.getProperty(WORKDIR_PROPERTY) == null) requirePrivateDirectory(base);
            else Files.createDirectories(base);
            dir = base.resolve(versioned);
            requirePrivateDirectory(dir);
        } catch (IOException e) {
            if (System.getProperty(WORKDIR_PROPERTY) != null) throw e;
            dir = Files.createTempDirectory("vane-native-");
        }
        Path target = dir.resolve(LIBRARY_FILE);
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && sha256(Files.readAllBytes(target)).equals(hash)) {
            return target;
        }
        Path tmp = Files.createTempFile(dir, LIBRARY_FILE + ".", ".part");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    /**
     * Makes dir (mode 0700) or checks an existing one: a real directory, not a symbolic link,
     * owned by this user, writable by nobody else.
     */
    static void requirePrivateDirectory(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            return;
        } catch (FileAlreadyExistsException e) {
            // verified below
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);  // not a POSIX file system: nothing more to check
            return;
        }
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isDirectory()) throw new IOException(dir + " is not a directory (a symbolic link or a file)");
        if (!a.owner().getName().equals(userName())) {
            throw new IOException(dir + " belongs to " + a.owner().getName() + ", not to " + userName());
        }
        Set<PosixFilePermission> p = a.permissions();
        if (p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException(dir + " is writable by other users");
        }
    }

    private static String userName() {
        return System.getProperty("user.name", "user");
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static Properties buildProperties() {
        Properties p = new Properties();
        try (InputStream in = NativeLibrary.class.getResourceAsStream("vane-bindings.properties")) {
            if (in == null) throw new IllegalStateException("vane-bindings.properties is missing from vane-bindings");
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
