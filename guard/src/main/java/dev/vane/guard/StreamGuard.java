package dev.vane.guard;

import java.util.ArrayList;
import java.util.List;

/**
 * A policy applied to text as it is generated, piece by piece. Call {@link #accept} with each
 * token's text and show what it returns; call {@link #finish} at the end for the held tail.
 *
 * <p>The guard keeps the unreleased text (the pending tail) plus the last {@link Detector#CONTEXT}
 * released chars, and runs every rule's detector over just that. A detector's matches are at most
 * its maxLength long, so the pending tail never grows past the longest maxLength of the policy's
 * detectors plus a match that spans it: the work per piece is bounded by that window, not by the
 * length of the output. Text is released as soon as no detector could still match there (each
 * detector's {@link Detector#holdFrom}), and a released piece is redacted exactly as the whole text
 * would be, so the concatenation of everything released equals {@link Policy#check}'s redacted text.
 *
 * <p>A BLOCK rule stops the stream the moment its match is final (for most detectors the char after
 * the match, so within one token); no text of that match has been released. Not thread-safe: one
 * guard per generation.
 */
public final class StreamGuard {
    private final Policy policy;
    private final List<Rule> rules = new ArrayList<>();
    private final StringBuilder window = new StringBuilder();
    private int from;          // window index where the unreleased text starts
    private int offset;        // stream index of window[0]
    private boolean done;

    StreamGuard(Policy policy, Direction direction) {
        this.policy = policy;
        for (Rule r : policy.rules()) if (r.appliesTo(direction)) rules.add(r);
    }

    /** The next piece of text (a token's text; may be empty). */
    public Emit accept(String piece) {
        if (done) throw new IllegalStateException("this stream is finished or stopped; start a new guard for the next generation");
        window.append(java.util.Objects.requireNonNull(piece, "piece must not be null"));
        return step(false);
    }

    /** The end of the stream: releases the held tail (redacted), or stops if it completes a BLOCK match. */
    public Emit finish() {
        if (done) throw new IllegalStateException("this stream is finished or stopped already");
        Emit e = step(true);
        done = true;
        return e;
    }

    /** How many chars are held back now (at most the window). */
    public int held() {
        return window.length() - from;
    }

    private Emit step(boolean end) {
        int len = window.length();
        int hold = len;
        if (!end && len > 0 && Character.isHighSurrogate(window.charAt(len - 1))) hold = len - 1;
        List<Finding> found = new ArrayList<>();
        for (Rule r : rules) {
            int ruleHold = end ? len : r.detector().holdFrom(window, from);
            hold = Math.min(hold, ruleHold);
            for (Match m : r.detector().find(window, from)) {
                if (m.start() >= ruleHold) break;   // not final yet
                found.add(Policy.finding(r, m, offset));
            }
        }
        for (Finding f : found) {
            if (f.action() == Action.BLOCK) {
                done = true;
                return new Emit("", true, policy.blockMessage(), Redactor.sorted(found));
            }
        }
        // A final match that runs past the hold point is held whole.
        List<Finding> sorted = Redactor.sorted(found);
        for (boolean moved = true; moved; ) {
            moved = false;
            for (Finding f : sorted) {
                int s = f.start() - offset, e = f.end() - offset;
                if (s < hold && e > hold) {
                    hold = s;
                    moved = true;
                }
            }
        }
        List<Finding> released = new ArrayList<>();
        for (Finding f : sorted) if (f.end() - offset <= hold) released.add(f);
        String text = Redactor.redact(window, from, hold, released, offset, policy::replacement);
        from = hold;
        int cut = Math.max(0, from - Detector.CONTEXT);
        if (cut > 0) {
            window.delete(0, cut);
            from -= cut;
            offset += cut;
        }
        return new Emit(text, false, null, released);
    }
}
