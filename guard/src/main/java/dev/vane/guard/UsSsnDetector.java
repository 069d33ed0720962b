package dev.vane.guard;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * US Social Security numbers written AAA-GG-SSSS or AAA GG SSSS (the same separator twice), with the
 * numbers the SSA never issues excluded: area 000, 666 and 900-999, group 00, serial 0000. Nine bare
 * digits are not flagged (too many other numbers look like that).
 */
public final class UsSsnDetector extends RegexDetector {
    private static final Pattern SSN = Pattern.compile("(?<![\\w-])(\\d{3})([- ])(\\d{2})\\2(\\d{4})(?![\\w]|-\\d)");

    public UsSsnDetector() {
        super("us-ssn", SSN, 12);
    }

    @Override Match check(Matcher m) {
        int area = Integer.parseInt(m.group(1)), group = Integer.parseInt(m.group(3)), serial = Integer.parseInt(m.group(4));
        boolean issued = area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
        return issued ? new Match(m.start(), m.end(), "US_SSN") : null;
    }
}
