package dev.vane.bench.model;

import java.util.List;

/**
 * Arrival times of a generation's tokens (seconds from the call) and their text. Prefill rate =
 * prompt tokens / time to the first token; decode = time from the first to the last token over
 * the tokens after the first.
 */
record Stamps(double[] at, List<String> pieces) {
    Stamps {
        if (at.length == 0 || at.length != pieces.size()) throw new IllegalArgumentException(at.length + " stamps for " + pieces.size() + " tokens");
        at = at.clone();
        pieces = List.copyOf(pieces);
    }

    double ttft() {
        return at[0];
    }

    double decodePerToken() {
        return (at[at.length - 1] - at[0]) / (at.length - 1);
    }
}
