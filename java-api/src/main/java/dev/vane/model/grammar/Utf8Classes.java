package dev.vane.model.grammar;

/**
 * Well-formed multi-byte UTF-8 characters in eight classes, one per shape of their byte ranges
 * (Unicode's table 3-7: C2-DF 80-BF; E0 A0-BF 80-BF; E1-EC 80-BF 80-BF; ED 80-9F 80-BF; EE-EF
 * 80-BF 80-BF; F0 90-BF 80-BF 80-BF; F1-F3 80-BF x3; F4 80-8F 80-BF 80-BF), and a decoder's phase
 * as bytes are read. {@link SubtreeChars} uses it to say which classes a trie subtree holds,
 * {@link StateRuns} to check that a grammar state takes every character of a class.
 */
final class Utf8Classes {
    /** Number of classes (a set of them fits in a byte). */
    static final int COUNT = 8;
    /** The phase between characters; {@link #INVALID} once the bytes are not well-formed UTF-8. */
    static final int BOUNDARY = 0, INVALID = -1;

    // Per class: lo, hi of each byte (the lead byte first).
    private static final int[][] RANGES = {
        {0xC2, 0xDF, 0x80, 0xBF},
        {0xE0, 0xE0, 0xA0, 0xBF, 0x80, 0xBF},
        {0xE1, 0xEC, 0x80, 0xBF, 0x80, 0xBF},
        {0xED, 0xED, 0x80, 0x9F, 0x80, 0xBF},
        {0xEE, 0xEF, 0x80, 0xBF, 0x80, 0xBF},
        {0xF0, 0xF0, 0x90, 0xBF, 0x80, 0xBF, 0x80, 0xBF},
        {0xF1, 0xF3, 0x80, 0xBF, 0x80, 0xBF, 0x80, 0xBF},
        {0xF4, 0xF4, 0x80, 0x8F, 0x80, 0xBF, 0x80, 0xBF},
    };

    private static final byte[] CLASS_OF_LEAD = new byte[256];

    static {
        java.util.Arrays.fill(CLASS_OF_LEAD, (byte) -1);
        for (int c = 0; c < COUNT; c++) for (int b = RANGES[c][0]; b <= RANGES[c][1]; b++) CLASS_OF_LEAD[b] = (byte) c;
    }

    private Utf8Classes() {}

    /** The class whose characters start with byte b (0..255), or -1 (ASCII, a continuation byte, or never a lead). */
    static int classOfLead(int b) {
        return CLASS_OF_LEAD[b];
    }

    /** Bytes in a character of class c. */
    static int length(int c) {
        return RANGES[c].length / 2;
    }

    static int lo(int c, int index) {
        return RANGES[c][2 * index];
    }

    static int hi(int c, int index) {
        return RANGES[c][2 * index + 1];
    }

    /**
     * The phase after byte b from phase: {@link #BOUNDARY} after ASCII or a character's last byte,
     * {@link #INVALID} for a byte that cannot come there, else inside a character (its class and
     * how many of its bytes were read).
     */
    static int next(int phase, int b) {
        if (phase == INVALID) return INVALID;
        if (phase == BOUNDARY) {
            if (b < 0x80) return BOUNDARY;
            int c = classOfLead(b);
            return c < 0 ? INVALID : inside(c, 1);
        }
        int c = (phase >>> 2) - 1, read = phase & 3;
        if (b < lo(c, read) || b > hi(c, read)) return INVALID;
        return read + 1 == length(c) ? BOUNDARY : inside(c, read + 1);
    }

    private static int inside(int c, int read) {
        return (c + 1) << 2 | read;
    }
}
