package dev.vane.guard;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * UK National Insurance numbers: two prefix letters, six digits, a suffix A-D, upper case, compact
 * ("QQ123456C") or in pairs ("QQ 12 34 56 C"). The prefix rules of HMRC's manual are applied: D, F,
 * I, Q, U, V never first or second letter, O never second, and BG, GB, KN, NK, NT, TN, ZZ never
 * allocated (so the manual's example prefix QQ is never flagged).
 */
public final class UkNinoDetector extends RegexDetector {
    private static final Pattern NINO = Pattern.compile(
            "(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?(\\d{2}) ?(\\d{2}) ?(\\d{2}) ?([A-D])(?![A-Za-z0-9])");
    private static final Set<String> NEVER = Set.of("BG", "GB", "KN", "NK", "NT", "TN", "ZZ");

    public UkNinoDetector() {
        super("uk-nino", NINO, 14);
    }

    @Override Match check(Matcher m) {
        return NEVER.contains(m.group(1)) ? null : new Match(m.start(), m.end(), "UK_NINO");
    }
}
