package dev.vane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.bindings.NativeLibrary;
import dev.vane.bindings.VaneStatus;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VaneTest {
    private final CpuVariant original = Vane.cpu().active();

    @AfterEach
    void restore() {
        Vane.useCpuVariant(original);
    }

    @Test
    void versionAndLocation() {
        assertEquals(NativeLibrary.EXPECTED_VERSION, Vane.version());
        assertTrue(Files.isRegularFile(Vane.libraryPath()), Vane.libraryPath().toString());
        assertTrue(Vane.librarySource().contains("vane-native") || Vane.librarySource().contains("vane.library.path"),
                Vane.librarySource());
    }

    @Test
    void cpuVariantFollowsTheEnvironment() {
        CpuInfo cpu = Vane.cpu();
        assertTrue(cpu.features().contains("sse2"), cpu.toString());
        assertFalse(cpu.reason().isBlank());
        if ("baseline".equals(System.getenv("VANE_CPU"))) {
            assertEquals(CpuVariant.BASELINE, cpu.active());
            assertTrue(cpu.reason().contains("VANE_CPU=baseline"), cpu.reason());
        } else if (cpu.features().containsAll(java.util.Set.of("avx2", "fma", "f16c"))) {
            assertEquals(CpuVariant.AVX2, cpu.active(), cpu.reason());
        }
    }

    @Test
    void variantsCanBeSwitchedAtRunTime() {
        Vane.useCpuVariant(CpuVariant.BASELINE);
        assertEquals(CpuVariant.BASELINE, Vane.cpu().active());
        if (Vane.cpu().features().containsAll(java.util.Set.of("avx2", "fma", "f16c"))) {
            Vane.useCpuVariant(CpuVariant.AVX2);
            assertEquals(CpuVariant.AVX2, Vane.cpu().active());
        } else {
            VaneException e = assertThrows(VaneException.class, () -> Vane.useCpuVariant(CpuVariant.AVX2));
            assertEquals(VaneStatus.UNSUPPORTED, e.status());
        }
    }

    @Test
    void threads() {
        int before = Vane.threads();
        try {
            Vane.setThreads(3);
            assertEquals(3, Vane.threads());
        } finally {
            Vane.setThreads(before);
        }
        assertEquals(before, Vane.threads());
    }
}
