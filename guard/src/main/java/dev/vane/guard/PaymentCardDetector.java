package dev.vane.guard;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Payment card numbers: 13..19 digits, optionally grouped by single spaces or dashes, that pass the
 * Luhn check and start with a known issuer prefix (Visa 4; Mastercard 51-55 and 2221-2720; American
 * Express 34, 37; Discover 6011, 644-649, 65; JCB 3528-3589; Diners Club 300-305, 36, 38, 39;
 * UnionPay 62; Maestro 50, 56-58, 6304, 6759, 676770, 676774). Numbers of any other issuer are not flagged.
 */
public final class PaymentCardDetector extends RegexDetector {
    private static final Pattern CARD = Pattern.compile("(?<![\\d-])\\d(?:[ -]?\\d){12,18}(?![\\d]|-\\d)");

    public PaymentCardDetector() {
        super("payment-card", CARD, 19 + 18 + 2);
    }

    @Override Match check(Matcher m) {
        String digits = m.group().replaceAll("[ -]", "");
        boolean card = digits.length() >= 13 && digits.length() <= 19 && knownIssuer(digits) && luhn(digits);
        return card ? new Match(m.start(), m.end(), "PAYMENT_CARD") : null;
    }

    /** The Luhn (mod 10) check: doubling every second digit from the right, the sum is a multiple of 10. */
    static boolean luhn(String digits) {
        int sum = 0;
        boolean twice = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            sum += d;
            twice = !twice;
        }
        return sum % 10 == 0;
    }

    static boolean knownIssuer(String d) {
        int p2 = Integer.parseInt(d.substring(0, 2)), p3 = Integer.parseInt(d.substring(0, 3));
        int p4 = Integer.parseInt(d.substring(0, 4));
        if (d.charAt(0) == '4') return true;
        if (p2 >= 51 && p2 <= 55 || p4 >= 2221 && p4 <= 2720) return true;
        if (p2 == 34 || p2 == 37) return d.length() == 15;
        if (p4 == 6011 || p3 >= 644 && p3 <= 649 || p2 == 65) return true;
        if (p4 >= 3528 && p4 <= 3589) return true;
        if (p3 >= 300 && p3 <= 305 || p2 == 36 || p2 == 38 || p2 == 39) return true;
        if (p2 == 62) return true;
        return p2 == 50 || p2 >= 56 && p2 <= 58 || p4 == 6304 || p4 == 6759
                || d.startsWith("676770") || d.startsWith("676774");
    }
}
