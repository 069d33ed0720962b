package dev.vane.guard;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * API keys and tokens by their published shapes: AWS access key ids (AKIA/ASIA/ABIA/ACCA + 16),
 * GitHub tokens (ghp_/gho_/ghu_/ghs_/ghr_ + 36, github_pat_ + 70..90), Slack tokens (xoxa-/xoxb-/
 * xoxp-/xoxo-/xoxr-/xoxs-), OpenAI-style secret keys (sk-, sk-proj-, sk-svcacct-, sk-admin- and at
 * least 20 more chars with a digit), Google API keys (AIza + 35), and generic assignments such as
 * {@code api_key = "..."}, {@code client_secret: ...}, {@code password=...} whose value is 16..128
 * chars, holds a digit and has a Shannon entropy of at least 3 bits per char (so sample values such as
 * "your-api-key-here-xxxx" or "aaaaaaaaaaaaaaaa1" are left alone). The whole assignment is the match.
 */
public final class ApiKeyDetector extends RegexDetector {
    private static final String VALUE = "A-Za-z0-9_\\-+/=.";
    private static final Pattern KEY = Pattern.compile(
            "(?<aws>(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9]))"
            + "|(?<github>(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{70,90})(?![A-Za-z0-9_]))"
            + "|(?<slack>(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,100}(?![A-Za-z0-9-]))"
            + "|(?<openai>(?<![A-Za-z0-9_-])sk-(?:proj-|svcacct-|admin-)?(?=[A-Za-z0-9_-]{0,200}\\d)[A-Za-z0-9_-]{20,200}(?![A-Za-z0-9_-]))"
            + "|(?<google>(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-]))"
            + "|(?<generic>(?<![A-Za-z0-9_])(?i:api[_-]?key|secret[_-]?key|access[_-]?key|access[_-]?token|auth[_-]?token"
            + "|client[_-]?secret|private[_-]?key|secret|token|password|passwd)[\"']?[ \\t]{0,3}[:=][ \\t]{0,3}[\"']?"
            + "(?<value>[" + VALUE + "]{16,128})(?![" + VALUE + "])[\"']?)");

    public ApiKeyDetector() {
        super("api-key", KEY, 230);
    }

    @Override Match check(Matcher m) {
        String category;
        if (m.group("aws") != null) category = "AWS_ACCESS_KEY";
        else if (m.group("github") != null) category = "GITHUB_TOKEN";
        else if (m.group("slack") != null) category = "SLACK_TOKEN";
        else if (m.group("openai") != null) category = "OPENAI_KEY";
        else if (m.group("google") != null) category = "GOOGLE_API_KEY";
        else category = randomLooking(m.group("value")) ? "API_KEY" : null;
        return category == null ? null : new Match(m.start(), m.end(), category);
    }

    static boolean randomLooking(String value) {
        return value.chars().anyMatch(Character::isDigit) && entropy(value) >= 3.0;
    }

    /** Shannon entropy of the chars of s, in bits per char. */
    static double entropy(String s) {
        int[] counts = new int[128];
        int other = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 128) counts[c]++;
            else other++;
        }
        double h = 0;
        for (int n : counts) if (n > 0) h -= (double) n / s.length() * Math.log((double) n / s.length());
        if (other > 0) h -= (double) other / s.length() * Math.log((double) other / s.length());
        return h / Math.log(2);
    }
}
