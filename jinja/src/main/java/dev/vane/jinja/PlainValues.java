package dev.vane.jinja;

import com.hubspot.jinjava.objects.SafeString;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Template values (jinjava's maps, lists, safe strings, ints) as the plain maps, lists and strings JSON is written from. */
final class PlainValues {
    private PlainValues() {}

    static Object of(Object v) {
        return switch (v) {
            case null -> null;
            case SafeString s -> s.toString();
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) out.put(String.valueOf(e.getKey()), of(e.getValue()));
                yield out;
            }
            case Iterable<?> l -> {
                List<Object> out = new ArrayList<>();
                for (Object o : l) out.add(of(o));
                yield out;
            }
            case Object[] a -> of(java.util.Arrays.asList(a));
            case Integer i -> i.longValue();
            case Float f -> f.doubleValue();
            default -> v;
        };
    }
}
