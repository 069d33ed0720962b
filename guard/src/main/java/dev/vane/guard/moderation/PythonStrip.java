package dev.vane.guard.moderation;

/**
 * Python's {@code str.strip()} (which Jinja's {@code trim} filter calls), so that a turn's text
 * is cut exactly as the published templates cut it. Python's whitespace is not Java's
 * {@link String#strip()}: it includes the no-break spaces (U+00A0, U+2007, U+202F) and U+0085.
 */
final class PythonStrip {
    private PythonStrip() {}

    static String strip(String s) {
        int start = 0, end = s.length();
        while (start < end && isSpace(s.charAt(start))) start++;
        while (end > start && isSpace(s.charAt(end - 1))) end--;
        return s.substring(start, end);
    }

    /** Python's str.isspace() for one char (every such character is in the BMP). */
    static boolean isSpace(char c) {
        return switch (c) {
            case '\t', '\n', '\u000B', '\f', '\r', '\u001C', '\u001D', '\u001E', '\u001F', ' ', '\u0085', '\u00A0', '\u1680',
                    '\u2028', '\u2029', '\u202F', '\u205F', '\u3000' -> true;
            default -> c >= '\u2000' && c <= '\u200A';
        };
    }
}
