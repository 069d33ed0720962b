package dev.vane.guard;

import java.util.List;

/**
 * What a {@link StreamGuard} lets through after a piece: text is safe to show now (redacted where
 * a rule says so; may be empty while a possible match is held back). stop means a BLOCK rule fired:
 * the caller stops generating and shows message instead of the rest (text is then empty).
 * findings are those that became final with this call, spans in the whole stream so far.
 */
public record Emit(String text, boolean stop, String message, List<Finding> findings) {
    public Emit {
        java.util.Objects.requireNonNull(text, "text must not be null");
        findings = List.copyOf(findings);
        if (stop && message == null) throw new IllegalArgumentException("a stop needs the block message");
    }
}
