package dev.vane.guard;

import java.util.List;

/**
 * Finds one kind of thing in text. Implementations are immutable and thread-safe.
 *
 * <p>The contract that lets {@link StreamGuard} run a detector over a bounded window and still find
 * exactly what it finds in the whole text:
 * <ul>
 *   <li>a match is at most {@link #maxLength()} chars long, and deciding whether text matches at a
 *       position reads at most maxLength chars from there plus at most {@link #CONTEXT} chars before it;</li>
 *   <li>{@link #find} scans from {@code from}, left to right, as it would scan the whole text;</li>
 *   <li>{@link #holdFrom} says from where on the result could still change when more text is appended.</li>
 * </ul>
 */
public interface Detector {
    /** The most chars before a match that a detector looks at (word boundaries, line starts). */
    int CONTEXT = 32;

    /** The detector's name as policy files spell it, e.g. "email". */
    String name();

    /** The longest match this detector reports (and the furthest it reads past a match's start). */
    int maxLength();

    /** The matches that start at or after {@code from}, in order of their start. */
    List<Match> find(CharSequence text, int from);

    /**
     * The earliest index at or after {@code from} where a match could still start or grow if more
     * text were appended ({@code text.length()} when none could): matches that start before it are final.
     */
    int holdFrom(CharSequence text, int from);
}
