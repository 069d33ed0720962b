package dev.vane.guard;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * International Bank Account Numbers: a country code, two check digits and the country's basic bank
 * account number, written compact ("DE89370400440532013000") or in groups with single spaces
 * ("DE89 3704 0044 0532 0130 00"), upper case. A candidate must have the length the IBAN registry
 * gives its country and pass the ISO 7064 mod-97 check. Countries outside the table below are not flagged.
 */
public final class IbanDetector extends RegexDetector {
    // Total IBAN length per country (SWIFT IBAN registry).
    private static final Map<String, Integer> LENGTHS = Map.ofEntries(
            Map.entry("AD", 24), Map.entry("AE", 23), Map.entry("AL", 28), Map.entry("AT", 20), Map.entry("AZ", 28),
            Map.entry("BA", 20), Map.entry("BE", 16), Map.entry("BG", 22), Map.entry("BH", 22), Map.entry("BR", 29),
            Map.entry("BY", 28), Map.entry("CH", 21), Map.entry("CR", 22), Map.entry("CY", 28), Map.entry("CZ", 24),
            Map.entry("DE", 22), Map.entry("DK", 18), Map.entry("DO", 28), Map.entry("EE", 20), Map.entry("EG", 29),
            Map.entry("ES", 24), Map.entry("FI", 18), Map.entry("FO", 18), Map.entry("FR", 27), Map.entry("GB", 22),
            Map.entry("GE", 22), Map.entry("GI", 23), Map.entry("GL", 18), Map.entry("GR", 27), Map.entry("GT", 28),
            Map.entry("HR", 21), Map.entry("HU", 28), Map.entry("IE", 22), Map.entry("IL", 23), Map.entry("IQ", 23),
            Map.entry("IS", 26), Map.entry("IT", 27), Map.entry("JO", 30), Map.entry("KW", 30), Map.entry("KZ", 20),
            Map.entry("LB", 28), Map.entry("LC", 32), Map.entry("LI", 21), Map.entry("LT", 20), Map.entry("LU", 20),
            Map.entry("LV", 21), Map.entry("MC", 27), Map.entry("MD", 24), Map.entry("ME", 22), Map.entry("MK", 19),
            Map.entry("MR", 27), Map.entry("MT", 31), Map.entry("MU", 30), Map.entry("NL", 18), Map.entry("NO", 15),
            Map.entry("PK", 24), Map.entry("PL", 28), Map.entry("PS", 29), Map.entry("PT", 25), Map.entry("QA", 29),
            Map.entry("RO", 24), Map.entry("RS", 22), Map.entry("SA", 24), Map.entry("SC", 31), Map.entry("SE", 24),
            Map.entry("SI", 19), Map.entry("SK", 24), Map.entry("SM", 27), Map.entry("ST", 25), Map.entry("SV", 28),
            Map.entry("TL", 23), Map.entry("TN", 24), Map.entry("TR", 26), Map.entry("UA", 29), Map.entry("VA", 22),
            Map.entry("VG", 24), Map.entry("XK", 20));

    // Groups of up to four, single spaces between them; the length check is the country's.
    private static final Pattern IBAN = Pattern.compile("(?<![A-Za-z0-9])[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{1,4}){3,8}(?![A-Za-z0-9])");

    public IbanDetector() {
        super("iban", IBAN, 34 + 8 + 1);
    }

    // The candidate may run on into a following word in capitals ("... 0130 00 AND"): the IBAN is
    // its first country-length alphanumerics, which must end where a group ends.
    @Override Match check(Matcher m) {
        String s = m.group();
        Integer length = LENGTHS.get(s.substring(0, 2));
        if (length == null) return null;
        StringBuilder compact = new StringBuilder();
        int i = 0;
        while (i < s.length() && compact.length() < length) {
            char c = s.charAt(i++);
            if (c != ' ') compact.append(c);
        }
        if (compact.length() < length || i < s.length() && s.charAt(i) != ' ') return null;
        return valid(compact.toString()) ? new Match(m.start(), m.start() + i, "IBAN") : null;
    }

    static boolean valid(String iban) {
        Integer length = LENGTHS.get(iban.substring(0, 2));
        if (length == null || iban.length() != length) return false;
        String moved = iban.substring(4) + iban.substring(0, 4);
        int rest = 0;
        for (int i = 0; i < moved.length(); i++) {
            int v = Character.digit(moved.charAt(i), 36);
            rest = v < 10 ? (rest * 10 + v) % 97 : (rest * 100 + v) % 97;
        }
        return rest == 1;
    }
}
