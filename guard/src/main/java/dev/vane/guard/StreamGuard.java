package dev.vane.guard;

import java.util.ArrayList;
import java.util.List;

/**
 * A policy applied to text as it is generated, piece by piece. Call {@link #accept} with each
 * token's text and show what it returns; call {@link #finish} at the end for the held tail.
 *
 * <p>The guard keeps the unreleased text (the pending tail) plus the last {@link Detector#CONTEXT}
 * released chars. A detector's matches are at most its maxLength long, so the pending tail never
 * grows past the longest maxLength of the policy's detectors plus a match that spans it. The work is
 * incremental per rule: each rule remembers the earliest position where its own result could still
 * change (its detector's {@link Detector#holdFrom}, or the start of a match that runs past it) and
 * scans only from there, keeping the matches it has decided before it. A rule with nothing open
 * scans just the new piece (and the chars its patterns look back at), even while another rule holds
 * a longer tail. Text is released as soon as no rule could still match there, and a released piece
 * is redacted exactly as the whole text would be, so the concatenation of everything released
 * equals {@link Policy#check}'s redacted text.
 *
 * <p>A BLOCK rule stops the stream the moment its match is final (for most detectors the char after
 * the match, so within one token); no text of that match has been released. A rule whose detector
 * judges the whole text ({@link Detector#wholeText()}, a moderator) holds everything back until
 * {@link #finish}, where it judges the whole stream once. Not thread-safe: one guard per generation.
 */
public final class StreamGuard {
    private final Policy policy;
    private final Direction direction;
    private final String prompt;  // the user message an output answers, or null
    private final List<Rule> rules = new ArrayList<>();
    private final int[] next;                                  // per rule: stream index it scans from next; its matches before it are decided
    private final List<Finding> decided = new ArrayList<>();   // decided findings not yet released, stream spans
    private final StringBuilder window = new StringBuilder();
    private int from;          // window index where the unreleased text starts
    private int offset;        // stream index of window[0]
    private boolean done;

    StreamGuard(Policy policy, Direction direction, String prompt) {
        this.policy = policy;
        this.direction = direction;
        this.prompt = prompt;
        for (Rule r : policy.rules()) if (r.appliesTo(direction)) rules.add(r);
        this.next = new int[rules.size()];
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
        // A high surrogate at the end is half a code point: no rule decides anything from it on.
        int limit = !end && len > 0 && Character.isHighSurrogate(window.charAt(len - 1)) ? len - 1 : len;
        int hold = limit;
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            // A whole-text judge (a moderator) sees the text once, at the end; until then all of it is held.
            if (r.detector().wholeText() && !end) {
                hold = Math.min(hold, from);
                continue;
            }
            int at = next[i] - offset;
            int ruleHold = end ? len : Math.min(limit, r.detector().holdFrom(window, at));
            List<Match> found = r.detector().find(direction, prompt, window, at);
            // A decided match that runs past the rule's hold point is held whole: it is found again from its start.
            // (Indexed loops: no iterator per rule and token.)
            int cut = ruleHold, n = found.size();
            for (boolean moved = n > 0; moved; ) {
                moved = false;
                for (int k = 0; k < n; k++) {
                    Match m = found.get(k);
                    if (m.start() < cut && m.end() > cut) {
                        cut = m.start();
                        moved = true;
                    }
                }
            }
            for (int k = 0; k < n; k++) {
                Match m = found.get(k);
                if (m.start() >= ruleHold) break;   // not decided yet
                if (r.action() == Action.BLOCK) return stop(Policy.finding(r, m, offset));
                if (m.end() <= cut) decided.add(Policy.finding(r, m, offset));
            }
            next[i] = cut + offset;
            hold = Math.min(hold, cut);
        }
        List<Finding> sorted = decided.size() > 1 ? Redactor.sorted(decided) : decided;
        // A decided finding that runs past the hold point (another rule holds inside it) is held whole.
        for (boolean moved = !sorted.isEmpty(); moved; ) {
            moved = false;
            for (Finding f : sorted) {
                int s = f.start() - offset, e = f.end() - offset;
                if (s < hold && e > hold) {
                    hold = s;
                    moved = true;
                }
            }
        }
        List<Finding> released = List.of();
        if (!sorted.isEmpty()) {
            released = new ArrayList<>();
            List<Finding> kept = new ArrayList<>();
            for (Finding f : sorted) (f.end() - offset <= hold ? released : kept).add(f);
            decided.clear();
            decided.addAll(kept);
        }
        String text = released.isEmpty() ? window.substring(from, hold) : Redactor.redact(window, from, hold, released, offset, policy::replacement);
        from = hold;
        int cut = Math.max(0, from - Detector.CONTEXT);
        if (cut > 0) {
            window.delete(0, cut);
            from -= cut;
            offset += cut;
        }
        return new Emit(text, false, null, released);
    }

    // A BLOCK match is decided: nothing more is released, the caller shows the block message.
    private Emit stop(Finding block) {
        done = true;
        List<Finding> all = new ArrayList<>(decided);
        all.add(block);
        return new Emit("", true, policy.blockMessage(), Redactor.sorted(all));
    }
}
