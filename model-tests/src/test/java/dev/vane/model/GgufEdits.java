package dev.vane.model;

import dev.vane.model.gguf.GgufFile;
import dev.vane.model.gguf.GgufTensor;
import dev.vane.model.gguf.GgufValueType;
import dev.vane.tools.gguf.GgufWriter;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test helper (public for the tests of sub-packages): copies a GGUF file with metadata replaced or removed and tensors dropped or renamed. */
public final class GgufEdits {
    private GgufEdits() {}

    /** meta: key -> new value (String, Integer, Float, Boolean) or REMOVE; rename: old tensor name -> new (null drops it). */
    public static void copy(Path from, Path to, Map<String, Object> meta, Map<String, String> rename) throws Exception {
        GgufWriter w = new GgufWriter();
        try (GgufFile f = GgufFile.open(from)) {
            for (var e : f.metadata().entrySet()) {
                Object v = meta.containsKey(e.getKey()) ? meta.get(e.getKey()) : e.getValue();
                if (v != REMOVE) put(w, e.getKey(), v);
            }
            for (var e : meta.entrySet()) if (!f.metadata().containsKey(e.getKey()) && e.getValue() != REMOVE) put(w, e.getKey(), e.getValue());
            for (GgufTensor t : f.tensors()) {
                String name = rename.containsKey(t.name()) ? rename.get(t.name()) : t.name();
                if (name != null) w.addTensor(name, t.type(), t.ne(), t.data().toArray(ValueLayout.JAVA_BYTE));
            }
        }
        w.write(to);
    }

    public static final Object REMOVE = new Object();

    private static void put(GgufWriter w, String key, Object v) {
        switch (v) {
            case String s -> w.putString(key, s);
            case Long l -> w.putUint32(key, l);
            case Integer i -> w.putInt32(key, i);
            case Double d -> w.putFloat32(key, d.floatValue());
            case Float d -> w.putFloat32(key, d);
            case Boolean b -> w.putBool(key, b);
            case List<?> list -> {
                Object first = list.isEmpty() ? "" : list.get(0);
                GgufValueType type = first instanceof String ? GgufValueType.STRING : first instanceof Double ? GgufValueType.FLOAT32 : GgufValueType.INT32;
                List<Object> values = new ArrayList<>(list);
                if (type == GgufValueType.INT32) values.replaceAll(o -> ((Number) o).intValue());
                w.putArray(key, type, values);
            }
            default -> throw new IllegalArgumentException(key + ": " + v.getClass());
        }
    }
}
