package dev.vane.redteam;

import dev.vane.redteam.targets.Decoding;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** What a run was, for summary.json and report.html (never results.jsonl, which holds no times so that runs can be compared byte for byte). */
public record RunInfo(long seed, String target, String model, String moderator, List<String> suites, List<String> mutations, int mutationsPerProbe,
                      Decoding decoding, Instant started, Instant finished) {
    public RunInfo {
        Objects.requireNonNull(target, "target must not be null");
        Objects.requireNonNull(model, "model must not be null");
        Objects.requireNonNull(moderator, "moderator must not be null");
        suites = List.copyOf(suites);
        mutations = List.copyOf(mutations);
        Objects.requireNonNull(decoding, "decoding must not be null");
        Objects.requireNonNull(started, "started must not be null");
        Objects.requireNonNull(finished, "finished must not be null");
    }
}
