package dev.vane.bindings;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** Reads vane_version() from a just-loaded library, before the handles in {@link VaneNative} exist. */
@SuppressWarnings("restricted")  // a downcall before VaneNative exists
final class VersionProbe {
    private VersionProbe() {}

    static String version(SymbolLookup symbols) {
        MemorySegment fn = symbols.find("vane_version")
                .orElseThrow(() -> new IllegalArgumentException("it has no vane_version symbol: not libvane"));
        MethodHandle h = Linker.nativeLinker().downcallHandle(fn, FunctionDescriptor.of(ValueLayout.ADDRESS));
        try {
            return CString.read((MemorySegment) h.invokeExact(), 64);
        } catch (Throwable t) {
            throw new IllegalArgumentException("calling vane_version failed: " + t, t);
        }
    }
}
