package dev.vane.jinja;

/**
 * Rewrites of Python-Jinja syntax that jinjava parses otherwise, applied to a template before it
 * is compiled; each keeps the template's meaning:
 * <ul>
 *   <li>keyword arguments of a call, e.g. {@code namespace(n=messages|length - 1)}: jinjava binds
 *       {@code n=messages|length} first and then subtracts, so each value is put in parentheses;
 *   <li>a reversed slice {@code x[::-1]}, which jinjava's slices do not take, becomes {@code (x|reverse|list)}.
 * </ul>
 * Both only touch text inside {@code {{ }}} and {@code {% %}} tags.
 */
final class TemplateSource {
    private TemplateSource() {}

    static String rewrite(String template) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int open = nextTagOpen(template, at);
            if (open < 0) break;
            String close = template.charAt(open + 1) == '{' ? "}}" : "%}";
            int end = template.indexOf(close, open + 2);
            if (end < 0) break;
            out.append(template, at, open + 2);
            out.append(rewriteExpression(template.substring(open + 2, end)));
            at = end;
        }
        return out.append(template.substring(at)).toString();
    }

    private static int nextTagOpen(String t, int from) {
        int a = t.indexOf("{{", from), b = t.indexOf("{%", from);
        if (a < 0) return b;
        if (b < 0) return a;
        return Math.min(a, b);
    }

    static String rewriteExpression(String e) {
        return parenthesizeKeywordValues(reverseSlices(e));
    }

    // name[::-1] (a dotted name) -> (name|reverse|list)
    private static String reverseSlices(String e) {
        return e.replaceAll("([A-Za-z_][A-Za-z0-9_.]*)\\[::-1\\]", "($1|reverse|list)");
    }

    // In f(a=x|length - 1, b=2): a=(x|length - 1), b=(2). Strings are skipped; "==" is no keyword.
    private static String parenthesizeKeywordValues(String e) {
        if (!e.contains("=")) return e;
        StringBuilder out = new StringBuilder();
        int depth = 0;
        boolean inKeywordValue = false;
        int valueDepth = -1;
        for (int i = 0; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                int end = e.indexOf(c, i + 1);
                while (end > 0 && e.charAt(end - 1) == '\\') end = e.indexOf(c, end + 1);
                if (end < 0) end = e.length() - 1;
                out.append(e, i, end + 1);
                i = end;
                continue;
            }
            if (inKeywordValue && depth == valueDepth && (c == ',' || c == ')')) {
                out.append(')');
                inKeywordValue = false;
            }
            if (c == '(' || c == '[' || c == '{') depth++;
            if (c == ')' || c == ']' || c == '}') depth--;
            out.append(c);
            boolean keyword = c == '=' && depth > 0 && !inKeywordValue && isKeywordEquals(e, i);
            if (keyword) {
                out.append('(');
                inKeywordValue = true;
                valueDepth = depth;
            }
        }
        return out.toString();
    }

    // '=' after an identifier, inside a call's parentheses, and not part of ==, !=, <=, >=.
    private static boolean isKeywordEquals(String e, int i) {
        if (i + 1 < e.length() && e.charAt(i + 1) == '=') return false;
        if (i > 0 && "=!<>".indexOf(e.charAt(i - 1)) >= 0) return false;
        int j = i - 1;
        while (j >= 0 && e.charAt(j) == ' ') j--;
        int end = j;
        while (j >= 0 && (Character.isLetterOrDigit(e.charAt(j)) || e.charAt(j) == '_')) j--;
        if (end == j) return false;
        int k = j;
        while (k >= 0 && e.charAt(k) == ' ') k--;
        return k >= 0 && (e.charAt(k) == '(' || e.charAt(k) == ',');
    }
}
