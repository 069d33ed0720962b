package dev.vane.jinja;

import com.hubspot.jinjava.objects.SafeString;
import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python's str, list and dict methods that chat templates call (content.strip(),
 * message.content.split('</think>'), name.startswith(...), dict.items() ...), which jinjava would
 * otherwise look up as Java methods (or not find). Everything else goes to jinjava's resolver.
 */
final class PythonMethods extends ELResolver {
    private final ELResolver next;

    PythonMethods(ELResolver next) {
        this.next = next;
    }

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        Object[] args = params == null ? new Object[0] : params;
        String name = String.valueOf(method);
        Object result = NOT_HANDLED;
        if (base instanceof String || base instanceof SafeString) result = string(base.toString(), name, args);
        else if (base instanceof Map<?, ?> m) result = map(m, name, args);
        else if (base instanceof List<?> l) result = list(l, name, args);
        if (result == NOT_HANDLED) return next.invoke(context, base, method, paramTypes, params);
        context.setPropertyResolved(true);
        return result;
    }

    private static final Object NOT_HANDLED = new Object();

    private static Object string(String s, String name, Object[] a) {
        return switch (name) {
            case "strip" -> a.length == 0 || a[0] == null ? s.strip() : rstrip(lstrip(s, str(a[0])), str(a[0]));
            case "lstrip" -> a.length == 0 || a[0] == null ? s.stripLeading() : lstrip(s, str(a[0]));
            case "rstrip" -> a.length == 0 || a[0] == null ? s.stripTrailing() : rstrip(s, str(a[0]));
            case "split" -> split(s, a.length > 0 ? a[0] : null, a.length > 1 ? ((Number) a[1]).intValue() : -1);
            case "startswith" -> affix(s, a[0], true);
            case "endswith" -> affix(s, a[0], false);
            case "replace" -> a.length > 2 ? replace(s, str(a[0]), str(a[1]), ((Number) a[2]).intValue()) : s.replace(str(a[0]), str(a[1]));
            case "upper" -> s.toUpperCase(java.util.Locale.ROOT);
            case "lower" -> s.toLowerCase(java.util.Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + s.substring(1).toLowerCase(java.util.Locale.ROOT);
            case "find" -> (long) s.indexOf(str(a[0]));
            case "count" -> (long) count(s, str(a[0]));
            case "join" -> join(s, a[0]);
            default -> NOT_HANDLED;
        };
    }

    private static Object map(Map<?, ?> m, String name, Object[] a) {
        return switch (name) {
            case "items" -> {
                List<List<Object>> items = new ArrayList<>();
                for (Map.Entry<?, ?> e : m.entrySet()) items.add(Arrays.asList(e.getKey(), e.getValue()));
                yield items;
            }
            case "keys" -> new ArrayList<>(m.keySet());
            case "values" -> new ArrayList<>(m.values());
            case "get" -> m.containsKey(a[0]) ? m.get(a[0]) : a.length > 1 ? a[1] : null;
            default -> NOT_HANDLED;
        };
    }

    @SuppressWarnings("unchecked")
    private static Object list(List<?> l, String name, Object[] a) {
        return switch (name) {
            case "append" -> {
                ((List<Object>) l).add(a[0]);
                yield null;
            }
            case "index" -> (long) l.indexOf(a[0]);
            default -> NOT_HANDLED;
        };
    }

    private static String str(Object o) {
        return o == null ? "" : o.toString();
    }

    private static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && chars.indexOf(s.charAt(i)) >= 0) i++;
        return s.substring(i);
    }

    private static String rstrip(String s, String chars) {
        int i = s.length();
        while (i > 0 && chars.indexOf(s.charAt(i - 1)) >= 0) i--;
        return s.substring(0, i);
    }

    // Python's str.split: by a separator (empty parts kept), or without one by runs of whitespace.
    private static List<String> split(String s, Object sep, int maxSplit) {
        List<String> out = new ArrayList<>();
        if (sep == null) {
            for (String p : s.strip().split("\\s+", maxSplit < 0 ? 0 : maxSplit + 1)) if (!p.isEmpty()) out.add(p);
            return out;
        }
        String d = sep.toString();
        if (d.isEmpty()) throw new IllegalArgumentException("split: empty separator");
        int from = 0;
        for (int at = s.indexOf(d); at >= 0 && (maxSplit < 0 || out.size() < maxSplit); at = s.indexOf(d, from)) {
            out.add(s.substring(from, at));
            from = at + d.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static boolean affix(String s, Object x, boolean prefix) {
        if (x instanceof Iterable<?> options) {
            for (Object o : options) if (affix(s, o, prefix)) return true;
            return false;
        }
        return prefix ? s.startsWith(str(x)) : s.endsWith(str(x));
    }

    private static String replace(String s, String from, String to, int count) {
        if (count < 0) return s.replace(from, to);
        StringBuilder out = new StringBuilder();
        int at = 0;
        for (int n = 0; n < count; n++) {
            int i = s.indexOf(from, at);
            if (i < 0) break;
            out.append(s, at, i).append(to);
            at = i + from.length();
        }
        return out.append(s.substring(at)).toString();
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder();
        boolean prevLetter = false;
        for (char c : s.toCharArray()) {
            out.append(prevLetter ? Character.toLowerCase(c) : Character.toUpperCase(c));
            prevLetter = Character.isLetter(c);
        }
        return out.toString();
    }

    private static int count(String s, String x) {
        if (x.isEmpty()) return s.length() + 1;
        int n = 0;
        for (int at = s.indexOf(x); at >= 0; at = s.indexOf(x, at + x.length())) n++;
        return n;
    }

    private static String join(String sep, Object items) {
        List<String> parts = new ArrayList<>();
        if (items instanceof Iterable<?> it) for (Object o : it) parts.add(str(o));
        return String.join(sep, parts);
    }

    // The rest is jinjava's.
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return next.getValue(context, base, property);
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return next.getType(context, base, property);
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        next.setValue(context, base, property, value);
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return next.isReadOnly(context, base, property);
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return next.getFeatureDescriptors(context, base);
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return next.getCommonPropertyType(context, base);
    }
}
