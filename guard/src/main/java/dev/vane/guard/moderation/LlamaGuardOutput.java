package dev.vane.guard.moderation;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a Llama Guard answer: "safe", or "unsafe" alone, or "unsafe" and a second line of
 * comma-separated category codes ("unsafe\nS1,S10"). Tolerated, because real generations carry
 * them: whitespace and blank lines around the answer (Llama Guard 3 8B starts with "\n\n"),
 * spaces around the codes, a trailing Llama 3 end token's text ({@code <|eot_id|>},
 * {@code <|eom_id|>}, {@code <|end_of_text|>}) when it was decoded with the output, and a code
 * named twice (kept once). Anything else (another word, a third line, an empty or unknown code
 * such as S15, lower-case "s1") is refused with a {@link LlamaGuardOutputException} quoting it.
 */
public final class LlamaGuardOutput {
    private static final List<String> END_TOKENS = List.of("<|eot_id|>", "<|eom_id|>", "<|end_of_text|>");

    private LlamaGuardOutput() {}

    /** The moderation raw says; raw is kept in it as given. */
    public static Moderation parse(String raw) {
        Objects.requireNonNull(raw, "raw output must not be null");
        String s = raw.strip();
        for (boolean cut = true; cut; ) {
            cut = false;
            for (String end : END_TOKENS) {
                if (s.endsWith(end)) {
                    s = s.substring(0, s.length() - end.length()).strip();
                    cut = true;
                }
            }
        }
        if (s.isEmpty()) throw new LlamaGuardOutputException("the output is empty", raw);
        String[] lines = s.split("\r?\n", -1);
        String first = lines[0].strip();
        if (first.equals("safe")) {
            if (lines.length > 1) throw new LlamaGuardOutputException("'safe' must stand alone, but more lines follow it", raw);
            return new Moderation(true, List.of(), raw);
        }
        if (!first.equals("unsafe")) throw new LlamaGuardOutputException("the first line is " + quote(first) + ", neither 'safe' nor 'unsafe'", raw);
        if (lines.length == 1) return new Moderation(false, List.of(), raw);
        if (lines.length > 2) throw new LlamaGuardOutputException("only one line of categories may follow 'unsafe', but " + (lines.length - 1) + " lines do", raw);
        LinkedHashSet<HazardCategory> categories = new LinkedHashSet<>();
        for (String code : lines[1].split(",", -1)) {
            String c = code.strip();
            if (c.isEmpty()) throw new LlamaGuardOutputException("the category list has an empty entry", raw);
            Optional<HazardCategory> h = c.matches("S[0-9]{1,2}") ? HazardCategory.ofCode(c) : Optional.empty();
            if (h.isEmpty()) throw new LlamaGuardOutputException(quote(c) + " is not a category code S1..S14", raw);
            categories.add(h.get());
        }
        return new Moderation(false, new ArrayList<>(categories), raw);
    }

    /** s in double quotes with newlines, tabs, quotes and other control chars escaped, cut at 200 chars. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        int n = Math.min(s.length(), 200);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
        if (s.length() > n) out.append(" (").append(s.length() - n).append(" more chars)");
        return out.toString();
    }
}
