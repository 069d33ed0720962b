package dev.vane.bindings;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares libvane's struct table with the Java layouts, both ways. Names map by one rule: C struct
 * {@code vane_<name>} is the {@code public static final StructLayout} named {@code <NAME>} (upper
 * case) in {@link NativeLayouts} or {@link BlockLayouts}; a field is the layout member of the same
 * name as in C; unnamed members must be padding.
 */
final class AbiComparison {
    private AbiComparison() {}

    /** Every StructLayout constant of the classes, by the C struct name the rule gives it. */
    static Map<String, StructLayout> javaLayouts(Class<?>... holders) {
        Map<String, StructLayout> layouts = new LinkedHashMap<>();
        for (Class<?> holder : holders) {
            for (Field f : holder.getDeclaredFields()) {
                int m = f.getModifiers();
                if (!Modifier.isPublic(m) || !Modifier.isStatic(m) || f.getType() != StructLayout.class) continue;
                String cName = "vane_" + f.getName().toLowerCase(Locale.ROOT);
                try {
                    if (layouts.put(cName, (StructLayout) f.get(null)) != null)
                        throw new IllegalStateException("two Java layouts map to " + cName);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return layouts;
    }

    /** The differences, one line each ("vane_x.f: offset native 24, Java 28"); empty when they agree. */
    static List<String> compare(List<NativeAbiTable.Entry> table, Map<String, StructLayout> java) {
        Map<String, Map<String, NativeAbiTable.Entry>> nativeStructs = new LinkedHashMap<>();
        for (NativeAbiTable.Entry e : table) nativeStructs.computeIfAbsent(e.struct(), k -> new LinkedHashMap<>()).put(e.field(), e);

        List<String> problems = new ArrayList<>();
        for (var s : nativeStructs.entrySet()) {
            String struct = s.getKey();
            StructLayout layout = java.get(struct);
            if (layout == null) {
                problems.add(struct + ": in libvane, no Java layout " + javaName(struct) + " in NativeLayouts or BlockLayouts");
                continue;
            }
            NativeAbiTable.Entry whole = s.getValue().get("");
            if (whole != null && whole.size() != layout.byteSize())
                problems.add(struct + ": size native " + whole.size() + ", Java " + layout.byteSize());
            Map<String, MemoryLayout> members = namedMembers(struct, layout, problems);
            for (NativeAbiTable.Entry e : s.getValue().values()) {
                if (e.field().isEmpty()) continue;
                MemoryLayout member = members.get(e.field());
                if (member == null) {
                    problems.add(struct + "." + e.field() + ": in libvane, not in the Java layout " + javaName(struct));
                    continue;
                }
                long offset = layout.byteOffset(MemoryLayout.PathElement.groupElement(e.field()));
                if (offset != e.offset()) problems.add(struct + "." + e.field() + ": offset native " + e.offset() + ", Java " + offset);
                if (member.byteSize() != e.size())
                    problems.add(struct + "." + e.field() + ": size native " + e.size() + ", Java " + member.byteSize());
            }
            for (String name : members.keySet())
                if (!s.getValue().containsKey(name))
                    problems.add(struct + "." + name + ": in the Java layout " + javaName(struct) + ", not in libvane");
        }
        for (String struct : java.keySet())
            if (!nativeStructs.containsKey(struct))
                problems.add(struct + ": Java layout " + javaName(struct) + " has no struct of that name in libvane");
        return problems;
    }

    private static Map<String, MemoryLayout> namedMembers(String struct, GroupLayout layout, List<String> problems) {
        Map<String, MemoryLayout> members = new LinkedHashMap<>();
        for (MemoryLayout m : layout.memberLayouts()) {
            if (m.name().isPresent()) members.put(m.name().get(), m);
            else if (!(m instanceof PaddingLayout)) problems.add(struct + ": Java layout " + javaName(struct) + " has an unnamed member " + m);
        }
        return members;
    }

    private static String javaName(String struct) {
        return struct.substring("vane_".length()).toUpperCase(Locale.ROOT);
    }
}
