package dev.vane.jinja;

import java.util.ArrayDeque;
import java.util.Set;

/**
 * Rewrites of Python-Jinja syntax that jinjava parses otherwise, applied to a template before it
 * is compiled; each keeps the template's meaning:
 * <ul>
 *   <li>keyword arguments of a call, e.g. {@code namespace(n=messages|length - 1)}: jinjava binds
 *       {@code n=messages|length} first and then subtracts, so each value is put in parentheses;
 *   <li>a reversed slice {@code x[::-1]}, which jinjava's slices do not take, becomes {@code (x|reverse|list)};
 *   <li>the operand of {@code not} is put in parentheses: in Python's Jinja {@code not} binds more
 *       loosely than tests, comparisons and arithmetic ({@code not tools is defined} is
 *       {@code not (tools is defined)}), in jinjava it binds to the next value alone
 *       ({@code (not tools) is defined}, always true).
 * </ul>
 * They only touch text inside {@code {{ }}} and {@code {% %}} tags, and leave a macro's
 * definition ({@code {% macro f(x, strict=false) %}}) as it is: jinjava reads its parameters'
 * defaults itself and takes no parenthesized ones.
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
            // A whitespace-control sign before the closing braces (-%}, +%}) is no part of the expression.
            if (end > open + 2 && "-+".indexOf(template.charAt(end - 1)) >= 0) end--;
            out.append(template, at, open + 2);
            String expression = template.substring(open + 2, end);
            out.append(isMacroDefinition(expression) ? expression : rewriteExpression(expression));
            at = end;
        }
        return out.append(template.substring(at)).toString();
    }

    // The inside of {%- macro name(...) %} (after an optional whitespace-control sign).
    private static boolean isMacroDefinition(String tag) {
        String t = tag.strip();
        if (t.startsWith("-") || t.startsWith("+")) t = t.substring(1).strip();
        return t.startsWith("macro ");
    }

    private static int nextTagOpen(String t, int from) {
        int a = t.indexOf("{{", from), b = t.indexOf("{%", from);
        if (a < 0) return b;
        if (b < 0) return a;
        return Math.min(a, b);
    }

    static String rewriteExpression(String e) {
        return parenthesizeNotOperands(parenthesizeKeywordValues(reverseSlices(e)));
    }

    private static final Set<String> NOT_OPERAND_ENDS = Set.of("and", "or", "if", "else", "recursive");

    // not x is defined -> not (x is defined): the operand runs to the next and / or / if / else /
    // recursive, comma, colon or closing bracket at its own depth, or to the end. "is not" (a negated
    // test) and "not in" are left as they are. Strings are skipped.
    private static String parenthesizeNotOperands(String e) {
        if (!e.contains("not")) return e;
        StringBuilder out = new StringBuilder();
        ArrayDeque<Integer> open = new ArrayDeque<>(); // the depths of the unclosed operands
        int depth = 0;
        for (int i = 0; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                int end = stringEnd(e, i);
                out.append(e, i, end + 1);
                i = end;
                continue;
            }
            String word = wordAt(e, i);
            boolean ends = ",:)]}".indexOf(c) >= 0 || word != null && NOT_OPERAND_ENDS.contains(word);
            if (ends) close(out, open, depth);
            if (c == '(' || c == '[' || c == '{') depth++;
            if (c == ')' || c == ']' || c == '}') depth--;
            if ("not".equals(word) && !"is".equals(wordBefore(e, i)) && !"in".equals(wordAt(e, skipSpaces(e, i + 3)))) {
                out.append("not (");
                open.push(depth);
                i += 2;
                continue;
            }
            if (word != null) {
                out.append(word);
                i += word.length() - 1;
                continue;
            }
            out.append(c);
        }
        close(out, open, depth);
        return out.toString();
    }

    // Closes the operands open at depth, before the spaces at the end of out.
    private static void close(StringBuilder out, ArrayDeque<Integer> open, int depth) {
        int at = out.length();
        while (at > 0 && Character.isWhitespace(out.charAt(at - 1))) at--;
        while (!open.isEmpty() && open.peek() >= depth) {
            open.pop();
            out.insert(at, ')');
        }
    }

    // The identifier starting at i (not in the middle of one or after a dot), or null.
    private static String wordAt(String e, int i) {
        if (i >= e.length() || !Character.isJavaIdentifierStart(e.charAt(i))) return null;
        if (i > 0 && (Character.isJavaIdentifierPart(e.charAt(i - 1)) || e.charAt(i - 1) == '.')) return null;
        int j = i;
        while (j < e.length() && Character.isJavaIdentifierPart(e.charAt(j))) j++;
        return e.substring(i, j);
    }

    // The identifier that ends just before the spaces before i, or null.
    private static String wordBefore(String e, int i) {
        int end = i;
        while (end > 0 && e.charAt(end - 1) == ' ') end--;
        int start = end;
        while (start > 0 && Character.isJavaIdentifierPart(e.charAt(start - 1))) start--;
        return start == end ? null : e.substring(start, end);
    }

    private static int skipSpaces(String e, int i) {
        while (i < e.length() && Character.isWhitespace(e.charAt(i))) i++;
        return i;
    }

    // The index of the quote that closes the string opening at i (the last index if none does).
    private static int stringEnd(String e, int i) {
        char q = e.charAt(i);
        int end = e.indexOf(q, i + 1);
        while (end > 0 && e.charAt(end - 1) == '\\') end = e.indexOf(q, end + 1);
        return end < 0 ? e.length() - 1 : end;
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
                int end = stringEnd(e, i);
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
