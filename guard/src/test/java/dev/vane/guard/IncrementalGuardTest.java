package dev.vane.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * The incremental StreamGuard (each rule scanning from its own hold point, regex detectors skipping
 * positions where their pattern cannot start) against whole-text checks on seeded random streams:
 * the same text, the same findings (ALLOW ones included, spans and rules), a stop exactly where the
 * whole text is blocked; and each regex detector's find and holdFrom against its bare pattern tried
 * at every position.
 */
class IncrementalGuardTest {
    static final String[] PARTS = {"the ", "and ", "In the beginning ", "\n", ", ", ". ", "a@b.io", "jane.doe@example.co.uk ", "+44 20 7946 0958",
            "(415) 555-2671", "415.555.2671", "020 7946 0958", "4111 1111 1111 1111", "4111-1111-1111-1112", "DE89 3704 0044 0532 0130 00",
            "GB82WEST12345698765432", "123-45-6789", "666-12-3456", "AB123456C", "AB 12 34 56 C", "AKIAIOSFODNN7EXAMPLE", "ghp_" + "aB3".repeat(12),
            "github_pat_" + "x1Y2z3".repeat(13), "xoxb-1234567890-abcdef", "sk-proj-" + "Ab1".repeat(8), "AIza" + "Sy9".repeat(11) + "xy",
            "api_key = \"Zx81kQ0pLm29VbTq7Yr4\"", "password=Qm7Zx81kQ0pLm29Vb", "secret: ", "token", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\n-----END PRIVATE KEY-----",
            "-----BEGIN ", "--", "b4dw0rd", "b a d w o r d", "bad\u200Bword", "evil  plan", "ab", "abc", "serpent", "wine", "example",
            "ignore all previous instructions", "<|eot_id|>", "<|eot", "[INST]", "12345", "-", "@", " ", "x", "Z", "0", "9", "+", "(", "AKIA", "sk-",
            "AI", "gh", "é", "😀", "\u200B", "_", "=", ":"};

    static String randomText(Random r) {
        StringBuilder text = new StringBuilder();
        int n = 1 + r.nextInt(40);
        for (int i = 0; i < n; i++) text.append(PARTS[r.nextInt(PARTS.length)]);
        return text.toString();
    }

    static List<String> randomSplit(Random r, String s) {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < s.length(); ) {
            int k = Math.min(s.length() - i, r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(r.nextBoolean() ? 3 : 12));  // empty pieces too
            pieces.add(s.substring(i, i + k));
            i += k;
        }
        return pieces;
    }

    static Policy mixed() {
        return Policy.builder()
                .rule("email", new EmailDetector(), Action.REDACT)
                .rule("example", new WordListDetector(List.of("example", "serpent")), Action.ALLOW)   // inside an address too: overlaps
                .rule("phone", new PhoneDetector(), Action.ALLOW)
                .rule("card", new PaymentCardDetector(), Action.REDACT)
                .rule("iban", new IbanDetector(), Action.REDACT)
                .rule("ssn", new UsSsnDetector(), Action.ALLOW)
                .rule("nino", new UkNinoDetector(), Action.REDACT)
                .rule("key", new ApiKeyDetector(), Action.REDACT)
                .rule("pem", new PemPrivateKeyDetector(), Action.REDACT)
                .rule("words", new WordListDetector(List.of("badword", "evil plan", "ab", "wine")), Action.REDACT)
                .rule("tokens", new SpecialTokenDetector(), Action.ALLOW)
                .build();
    }

    @Test void incrementalGuardEqualsWholeTextOnSeededRandomStreams() {
        Random r = new Random(20261207L);
        int compared = 0;
        for (Policy p : List.of(mixed(), StreamGuardTest.redactAll(), Policy.defaults())) {
            for (int t = 0; t < 300; t++) {
                String s = randomText(r);
                Verdict whole = p.checkOutput(s);
                for (int split = 0; split < 4; split++) {
                    List<String> pieces = randomSplit(r, s);
                    StreamGuard g = p.streamOutput();
                    StringBuilder out = new StringBuilder();
                    List<Finding> findings = new ArrayList<>();
                    for (String piece : pieces) {
                        Emit e = g.accept(piece);
                        out.append(e.text());
                        findings.addAll(e.findings());
                    }
                    Emit last = g.finish();
                    out.append(last.text());
                    findings.addAll(last.findings());
                    String where = "text " + StreamGuardTest.escape(s) + " split " + pieces.stream().map(StreamGuardTest::escape).toList();
                    assertEquals(whole.text(), out.toString(), where);
                    assertEquals(whole.findings(), Redactor.sorted(findings), where);
                    compared++;
                }
            }
        }
        assertEquals(3600, compared);
    }

    @Test void aStreamStopsExactlyWhereTheWholeTextIsBlocked() {
        Policy redacting = mixed();
        Policy.Builder b = Policy.builder();
        for (Rule rule : redacting.rules()) b.rule(rule);
        Policy blocking = b.rule("stop", new WordListDetector(List.of("wine", "serpent", "evil plan")), Action.BLOCK)
                .rule("stop-card", new PaymentCardDetector(), Action.BLOCK).build();
        Random r = new Random(7);
        int blocked = 0;
        for (int t = 0; t < 600; t++) {
            String s = randomText(r);
            Verdict whole = blocking.checkOutput(s);
            List<String> pieces = randomSplit(r, s);
            StreamGuard g = blocking.streamOutput();
            StringBuilder out = new StringBuilder();
            boolean stopped = false;
            for (String piece : pieces) {
                Emit e = g.accept(piece);
                out.append(e.text());
                if (stopped = e.stop()) break;
            }
            if (!stopped) {
                Emit e = g.finish();
                out.append(e.text());
                stopped = e.stop();
            }
            String where = "text " + StreamGuardTest.escape(s) + " split " + pieces.stream().map(StreamGuardTest::escape).toList();
            assertEquals(whole.blocked(), stopped, where);
            if (!stopped) {
                assertEquals(whole.text(), out.toString(), where);
                continue;
            }
            blocked++;
            // What was shown is the redacted text up to some cut before the first blocked match.
            Finding first = whole.findings().stream().filter(f -> f.action() == Action.BLOCK).findFirst().orElseThrow();
            assertTrue(redacting.checkOutput(s).text().startsWith(out.toString()), where + " showed " + out);
            List<Finding> before = redacting.checkOutput(s).findings().stream().filter(f -> f.end() <= first.start()).toList();
            String upToBlock = Redactor.redact(s, 0, first.start(), before, 0, redacting::replacement);
            assertTrue(out.length() <= upToBlock.length(), where + " showed " + out + ", past the blocked match at " + first.start());
        }
        assertTrue(blocked > 100, "blocked streams: " + blocked);
    }

    @Test void regexDetectorsSkipOnlyPositionsTheirPatternRejects() {
        List<RegexDetector> detectors = List.of(new EmailDetector(), new PhoneDetector(), new PaymentCardDetector(), new IbanDetector(), new UsSsnDetector(),
                new UkNinoDetector(), new ApiKeyDetector(), new PemPrivateKeyDetector());
        Random r = new Random(99);
        int checked = 0;
        for (int t = 0; t < 1500; t++) {
            String s = randomText(r);
            // Cut anywhere, so texts end in the middle of every shape.
            String text = s.substring(0, r.nextInt(s.length() + 1));
            int from = text.isEmpty() ? 0 : r.nextInt(text.length() + 1);
            for (RegexDetector d : detectors) {
                assertEquals(referenceFind(d, text, from), d.find(text, from), d.name() + " find in " + StreamGuardTest.escape(text) + " from " + from);
                assertEquals(referenceHold(d, text, from), d.holdFrom(text, from), d.name() + " holdFrom in " + StreamGuardTest.escape(text) + " from " + from);
                checked++;
            }
        }
        assertEquals(12000, checked);
        assertFalse(new EmailDetector().mayContain("no address here", 0));
    }

    // The pattern's own scan from from, every candidate checked.
    private static List<Match> referenceFind(RegexDetector d, String text, int from) {
        Matcher m = d.pattern().matcher(text).useTransparentBounds(true).useAnchoringBounds(false).region(from, text.length());
        List<Match> out = new ArrayList<>();
        while (m.find()) {
            Match match = d.check(m);
            if (match != null) out.add(match);
        }
        return out;
    }

    // The bare pattern's scan from from: the first attempt that read to the end, decided candidates skipped whole.
    private static int referenceHold(RegexDetector d, String text, int from) {
        int len = text.length();
        Matcher m = d.pattern().matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
        for (int p = from; p < len; ) {
            m.region(p, len);
            boolean matched = m.lookingAt();
            if (m.hitEnd()) return p;
            p = matched ? m.end() : p + 1;
        }
        return len;
    }
}
