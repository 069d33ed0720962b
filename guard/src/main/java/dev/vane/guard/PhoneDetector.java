package dev.vane.guard;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Telephone numbers in the shapes people write them, not every run of digits:
 * <ul>
 *   <li>international (E.164): '+', a country code, then 7..15 digits in all, optionally grouped by
 *       single spaces, dots or dashes and one parenthesised group: "+14155552671", "+44 20 7946 0958";</li>
 *   <li>North American: "(415) 555-2671", "415-555-2671", "415.555.2671" (area code and exchange
 *       2..9 first, separators required);</li>
 *   <li>national trunk-prefix numbers with a space: "020 7946 0958", "07700 900123", "030 12345678".</li>
 * </ul>
 * A bare ten-digit run such as 4155552671 is not flagged: without a '+' or separators it is as
 * likely an order number as a phone.
 */
public final class PhoneDetector extends RegexDetector {
    private static final Pattern PHONE = Pattern.compile(
            "(?<![\\w+.-])(?:"
            + "\\+[1-9](?:[ .-]?\\(?\\d{1,4}\\)?){2,7}"
            + "|\\(?[2-9]\\d{2}\\)?[ .-]?[2-9]\\d{2}[.-]\\d{4}"
            + "|\\([2-9]\\d{2}\\) [2-9]\\d{2}[ .-]\\d{4}"
            + "|0\\d{2,4} \\d{3,4}[ ]?\\d{3,4}"
            + ")(?![\\w-]|\\.\\d)");

    public PhoneDetector() {
        super("phone", PHONE, 48);
    }

    @Override Match check(Matcher m) {
        return phone(m.group()) ? new Match(m.start(), m.end(), "PHONE") : null;
    }

    private static boolean phone(String s) {
        int digits = 0;
        for (int i = 0; i < s.length(); i++) if (Character.isDigit(s.charAt(i))) digits++;
        if (s.startsWith("+")) return digits >= 8 && digits <= 15 && balancedParens(s);
        return balancedParens(s) && digits >= 10 && digits <= 12;
    }

    private static boolean balancedParens(String s) {
        int open = s.indexOf('('), close = s.indexOf(')');
        return (open < 0) == (close < 0) && (open < 0 || (open < close && s.indexOf('(', open + 1) < 0));
    }
}
