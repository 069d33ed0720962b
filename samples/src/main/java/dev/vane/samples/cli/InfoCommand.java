package dev.vane.samples.cli;

import dev.vane.CpuInfo;
import dev.vane.Vane;
import java.io.PrintStream;
import java.util.TreeSet;

/** {@code vane info}: what is loaded and how it will run. */
final class InfoCommand {
    private InfoCommand() {}

    static void run(PrintStream out) {
        CpuInfo cpu = Vane.cpu();
        out.println("Vane " + Vane.version());
        out.println("  library   " + Vane.libraryPath());
        out.println("  loaded    from " + Vane.librarySource());
        out.println("  cpu       " + String.join(" ", new TreeSet<>(cpu.features())));
        out.println("  kernels   " + cpu.active().name().toLowerCase() + " (" + cpu.reason() + ")");
        out.println("  threads   " + Vane.threads());
        out.println("  java      " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")");
    }
}
