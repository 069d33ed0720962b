package dev.vane.guard;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * E-mail addresses: a local part of up to 64 chars, '@', up to six dot-separated domain labels of up
 * to 63 chars and a letters-only top-level domain (2..24). Quoted local parts and IP-literal domains
 * are not matched.
 */
public final class EmailDetector extends RegexDetector {
    private static final String LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    private static final Pattern EMAIL = Pattern.compile(
            "(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:" + LABEL + "\\.){1,6}[A-Za-z]{2,24}(?![A-Za-z0-9-])");

    public EmailDetector() {
        super("email", EMAIL, 64 + 1 + 6 * 64 + 24 + 1);
    }

    @Override Match check(Matcher m) {
        return new Match(m.start(), m.end(), "EMAIL");
    }
}
