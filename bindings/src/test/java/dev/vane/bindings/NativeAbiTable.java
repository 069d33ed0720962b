package dev.vane.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The table libvane compiles from vane.h (vane_abi_describe): one entry per struct (field "")
 * and per field. Reads the library named by {@code -Dvane.abi.library} when that file exists (the
 * build sets it to this checkout's native/target library, so the check is of the code beside
 * it), else the one {@link NativeLibrary} finds (-Dvane.library.path: this module's tests have no
 * vane-native jar, see MissingLibraryTest).
 */
@SuppressWarnings("restricted")
final class NativeAbiTable {
    static final String LIBRARY_PROPERTY = "vane.abi.library";
    /** Longest name read back (the table's names are C identifiers of a few dozen characters). */
    private static final long NAME_MAX = 256;

    record Entry(String struct, String field, long offset, long size) {}

    private NativeAbiTable() {}

    static String librarySource() {
        Path own = ownLibrary();
        return own != null ? own.toString() : NativeLibrary.load().path().toString();
    }

    static List<Entry> read() {
        Path own = ownLibrary();
        SymbolLookup symbols = own != null ? SymbolLookup.libraryLookup(own, Arena.global()) : NativeLibrary.load().symbols();
        MemorySegment fn = symbols.find("vane_abi_describe").orElseThrow(() -> new IllegalStateException(
                "libvane at " + librarySource() + " has no vane_abi_describe: expected a library built from this checkout"
                        + " (mvn test -pl native,bindings)"));
        MethodHandle describe = Linker.nativeLinker().downcallHandle(fn,
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        List<Entry> entries = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment structName = arena.allocate(ADDRESS), fieldName = arena.allocate(ADDRESS);
            MemorySegment offset = arena.allocate(JAVA_LONG), size = arena.allocate(JAVA_LONG);
            for (int i = 0; ; i++) {
                int status = (int) describe.invokeExact(i, structName, fieldName, offset, size);
                if (status == VaneStatus.OUT_OF_RANGE) break;
                if (status != VaneStatus.OK) throw new IllegalStateException("vane_abi_describe(" + i + ") returned " + status);
                entries.add(new Entry(CString.read(structName.get(ADDRESS, 0), NAME_MAX), CString.read(fieldName.get(ADDRESS, 0), NAME_MAX),
                        offset.get(JAVA_LONG, 0), size.get(JAVA_LONG, 0)));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return entries;
    }

    private static Path ownLibrary() {
        String p = System.getProperty(LIBRARY_PROPERTY);
        if (p == null || p.isBlank()) return null;
        Path file = Path.of(p);
        return Files.isRegularFile(file) ? file : null;
    }
}
