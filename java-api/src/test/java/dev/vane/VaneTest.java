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
        } else if (System.getenv("VANE_CPU") == null) {
            assertEquals(cpu.best(), cpu.active(), cpu.reason());
        }
        assertTrue(cpu.canRun(CpuVariant.BASELINE) && cpu.canRun(cpu.active()), cpu.toString());
        if (cpu.features().contains("avx512bf16")) assertTrue(cpu.features().contains("avx512f"), cpu.toString());
    }

    @Test
    void variantsCanBeSwitchedAtRunTime() {
        Vane.useCpuVariant(CpuVariant.BASELINE);
        assertEquals(CpuVariant.BASELINE, Vane.cpu().active());
        for (CpuVariant v : CpuVariant.values()) {
            if (Vane.cpu().canRun(v)) {
                Vane.useCpuVariant(v);
                assertEquals(v, Vane.cpu().active());
            } else {
                VaneException e = assertThrows(VaneException.class, () -> Vane.useCpuVariant(v));
                assertEquals(VaneStatus.UNSUPPORTED, e.status());
                assertTrue(e.getMessage().contains("cannot run the " + v.name().toLowerCase(java.util.Locale.ROOT)), e.getMessage());
            }
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
