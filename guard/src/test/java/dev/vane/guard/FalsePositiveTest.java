package dev.vane.guard;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The default policy over natural text that holds nothing it should flag: the embedded model's
 * held-out KJV verses. Every finding is a false positive; the rate is findings per verse.
 */
class FalsePositiveTest {
    /** The bound docs/GUARD.md states: at most one finding in a thousand verses, input and output together. */
    static final double MAX_RATE = 0.001;

    @Test void defaultPolicyOnHeldOutVerses() throws IOException {
        Path file = Path.of(System.getProperty("vane.heldout.file", "../tools/train-tiny-moe/heldout.txt"));
        List<String> verses = Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
        assertTrue(verses.size() > 1000, "expected the held-out verses at " + file + ", found " + verses.size());
        Policy policy = Policy.defaults();
        List<String> flagged = new ArrayList<>();
        for (String v : verses) {
            for (Direction d : Direction.values()) {
                for (Finding f : policy.check(d, v).findings()) flagged.add(d + " " + f + ": " + v.substring(f.start(), f.end()));
            }
        }
        double rate = (double) flagged.size() / verses.size();
        System.out.printf("vane-guard false positives: %d findings over %d verses (input and output), %.5f per verse%n",
                flagged.size(), verses.size(), rate);
        flagged.forEach(System.out::println);
        assertTrue(rate <= MAX_RATE, "false-positive rate " + rate + " > " + MAX_RATE + ": " + flagged);
    }
}
