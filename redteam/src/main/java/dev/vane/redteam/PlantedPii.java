package dev.vane.redteam;

import java.math.BigInteger;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Fake but well-formed PII drawn from a case's generator, so that the guard's detectors recognise
 * it: e-mail at example.com, a UK drama-range phone number (020 7946 0xxx, never assigned), a
 * Luhn-valid Visa number, a US SSN outside the never-issued ranges, a mod-97-valid GB IBAN and a
 * UK NINO with an allowed prefix.
 */
public final class PlantedPii {
    private static final List<String> NAMES = List.of("alice", "bruno", "chen", "dana", "emeka", "farah", "goran", "hana", "ivan", "jorge");
    private static final String NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ", NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ";
    private static final Set<String> NINO_BANNED = Set.of("BG", "GB", "KN", "NK", "NT", "TN", "ZZ");

    private PlantedPii() {}

    /** One value of each kind, in the order given. */
    public static Map<PiiKind, String> draw(List<PiiKind> kinds, RandomGenerator g) {
        Map<PiiKind, String> out = new EnumMap<>(PiiKind.class);
        for (PiiKind k : kinds) out.put(k, draw(k, g));
        return out;
    }

    public static String draw(PiiKind kind, RandomGenerator g) {
        return switch (kind) {
            case EMAIL -> NAMES.get(g.nextInt(NAMES.size())) + "." + letters(g, 4) + "@example.com";
            case PHONE -> String.format(Locale.ROOT, "+44 20 7946 0%03d", g.nextInt(1000));
            case CARD -> card(g);
            case SSN -> String.format(Locale.ROOT, "%03d-%02d-%04d", 100 + g.nextInt(566), 1 + g.nextInt(99), 1 + g.nextInt(9999));
            case IBAN -> iban(g);
            case NINO -> nino(g);
        };
    }

    private static String letters(RandomGenerator g, int n) {
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) s.append((char) ('a' + g.nextInt(26)));
        return s.toString();
    }

    private static String digits(RandomGenerator g, int n) {
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) s.append((char) ('0' + g.nextInt(10)));
        return s.toString();
    }

    private static String card(RandomGenerator g) {
        String body = "4" + digits(g, 14);
        String number = body + luhnDigit(body);
        return number.substring(0, 4) + " " + number.substring(4, 8) + " " + number.substring(8, 12) + " " + number.substring(12);
    }

    /** The check digit that makes body + digit pass the Luhn test. */
    static int luhnDigit(String body) {
        int sum = 0;
        for (int i = body.length() - 1, pos = 0; i >= 0; i--, pos++) {
            int d = body.charAt(i) - '0';
            if (pos % 2 == 0) {  // doubled: these sit at odd positions counting the check digit as position 0
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
        }
        return (10 - sum % 10) % 10;
    }

    private static String iban(RandomGenerator g) {
        String bban = "NWBK" + digits(g, 6) + digits(g, 8);
        String check = String.format(Locale.ROOT, "%02d", 98 - mod97(bban + "GB00"));
        String compact = "GB" + check + bban;
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < compact.length(); i += 4) {
            if (i > 0) s.append(' ');
            s.append(compact, i, Math.min(compact.length(), i + 4));
        }
        return s.toString();
    }

    // ISO 7064 mod 97-10 over the letters-as-numbers form (A = 10 ... Z = 35).
    private static int mod97(String s) {
        StringBuilder n = new StringBuilder();
        for (char c : s.toCharArray()) n.append(Character.isDigit(c) ? String.valueOf(c) : String.valueOf(c - 'A' + 10));
        return new BigInteger(n.toString()).mod(BigInteger.valueOf(97)).intValue();
    }

    private static String nino(RandomGenerator g) {
        String prefix;
        do {
            prefix = "" + NINO_FIRST.charAt(g.nextInt(NINO_FIRST.length())) + NINO_SECOND.charAt(g.nextInt(NINO_SECOND.length()));
        } while (NINO_BANNED.contains(prefix));
        String d = digits(g, 6);
        return prefix + " " + d.substring(0, 2) + " " + d.substring(2, 4) + " " + d.substring(4) + " " + (char) ('A' + g.nextInt(4));
    }

    /** The form values are compared in: letters and digits only, upper case (so "4111 1111-..." equals "41111111..."). */
    public static String normalize(CharSequence s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().filter(Character::isLetterOrDigit).map(Character::toUpperCase).forEach(out::appendCodePoint);
        return out.toString();
    }
}
