package dev.vane.redteam.mutation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The mutations by name, in a fixed order (the order the sampler draws from). */
public final class Mutations {
    private static final Map<String, Mutation> ALL = all();

    private Mutations() {}

    private static Map<String, Mutation> all() {
        Map<String, Mutation> m = new LinkedHashMap<>();
        for (Mutation x : List.of(new Identity(), new Base64Mutation(), new Leetspeak(), new Rot13(), new RolePlay(), new PayloadSplit(),
                new LanguageSwitch())) m.put(x.name(), x);
        return m;
    }

    public static List<String> names() {
        return List.copyOf(ALL.keySet());
    }

    public static Mutation named(String name) {
        Mutation m = ALL.get(name);
        if (m == null) throw new IllegalArgumentException("unknown mutation '" + name + "'; expected one of " + String.join(", ", ALL.keySet()));
        return m;
    }

    /** The mutations named, in the registry's order; each name checked. */
    public static List<Mutation> named(Collection<String> names) {
        for (String n : names) named(n);
        List<Mutation> out = new ArrayList<>();
        for (Mutation m : ALL.values()) if (names.contains(m.name())) out.add(m);
        return out;
    }
}
