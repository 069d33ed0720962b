package dev.vane.model;

import java.util.List;

/**
 * Stop sequences over streamed text: pieces go in, the text safe to send comes out, holding back
 * any tail that could still become a stop sequence; once one appears, the text before it is
 * the last to go out and {@link #stopped()} is true.
 */
public final class StopSequences {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    /** Stops at the first of these (none empty); an empty list lets all text through. */
    public StopSequences(List<String> stops) {
        java.util.Objects.requireNonNull(stops, "stops must not be null");
        for (int i = 0; i < stops.size(); i++) {
            if (stops.get(i) == null || stops.get(i).isEmpty()) throw new IllegalArgumentException("stop sequence " + i + " is null or empty");
        }
        this.stops = List.copyOf(stops);
    }

    /** The text that may be sent after this piece (possibly empty). */
    public String add(String piece) {
        if (stopped) return "";
        pending.append(piece);
        int cut = -1;
        for (String s : stops) {
            int at = pending.indexOf(s);
            if (at >= 0 && (cut < 0 || at < cut)) cut = at;
        }
        if (cut >= 0) {
            stopped = true;
            String out = pending.substring(0, cut);
            pending.setLength(0);
            return out;
        }
        int keep = 0;  // the longest tail of pending that begins some stop sequence
        String text = pending.toString();
        for (String s : stops) {
            for (int n = Math.min(s.length() - 1, text.length()); n > keep; n--) {
                if (text.regionMatches(text.length() - n, s, 0, n)) {
                    keep = n;
                    break;
                }
            }
        }
        String out = pending.substring(0, pending.length() - keep);
        pending.delete(0, pending.length() - keep);
        return out;
    }

    /** What is held back when the generation ends without a stop sequence. */
    public String flush() {
        String out = stopped ? "" : pending.toString();
        pending.setLength(0);
        return out;
    }

    public boolean stopped() {
        return stopped;
    }
}
