package dev.vane.guard;

import java.text.Normalizer;
import java.util.Map;

/**
 * Folds one code point to what it looks like: NFKC (fullwidth, ligatures, circled and mathematical
 * letters to plain ones), case folding, common Cyrillic and Greek look-alikes to Latin letters, and
 * leetspeak digits and symbols (0 o, 3 e, 4 a, 5 s, 7 t, @ a, $ s; 1 stays '1', which the phrase
 * matcher takes for i or l). Zero-width characters fold to "". Folding is per code point, so a
 * match in folded text maps back to exact spans of the original.
 */
final class Fold {
    private Fold() {}

    private static final Map<Character, Character> LOOK_ALIKES = lookAlikes();
    private static final String[] ASCII = new String[128];

    static {
        for (int c = 0; c < 128; c++) ASCII[c] = slow(c);
    }

    /** Zero-width and invisible formatting characters that join or split words unseen. */
    static boolean invisible(int cp) {
        return cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0x2060 || cp == 0xFEFF || cp == 0x00AD
                || cp == 0x180E || cp == 0x034F;
    }

    /** The folded text of one code point ("" for an invisible one; usually one char). */
    static String of(int cp) {
        return cp < 128 ? ASCII[cp] : slow(cp);
    }

    private static String slow(int cp) {
        if (invisible(cp)) return "";
        String n = Normalizer.normalize(Character.toString(cp), Normalizer.Form.NFKC);
        StringBuilder out = new StringBuilder(n.length());
        n.codePoints().forEach(c -> {
            if (invisible(c)) return;
            int folded = Character.toLowerCase(Character.toUpperCase(c));
            Character latin = folded <= 0xFFFF ? LOOK_ALIKES.get((char) folded) : null;
            out.appendCodePoint(latin != null ? latin : folded);
        });
        return out.toString();
    }

    /** A letter, digit or leet symbol: what a word is made of. */
    static boolean wordChar(int cp) {
        return Character.isLetterOrDigit(cp) || cp == '@' || cp == '$';
    }

    private static Map<Character, Character> lookAlikes() {
        String pairs =
                // leetspeak
                "0o3e4a5s7t@a$s"
                // Cyrillic (lower case; upper case folds to these first)
                + "аaвbеeкkмmнhоoрpсcтtуyхxіiїiјjѕsԁdһhԛqԝwӏl"
                // Greek
                + "αaβbεeηnιiκkνvοoρpτtυuχxζzμuγyϲcϳjςs";
        java.util.HashMap<Character, Character> m = new java.util.HashMap<>();
        for (int i = 0; i < pairs.length(); i += 2) m.put(pairs.charAt(i), pairs.charAt(i + 1));
        return Map.copyOf(m);
    }
}
