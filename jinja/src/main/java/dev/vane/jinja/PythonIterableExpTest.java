package dev.vane.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.objects.SafeString;
import java.util.Map;

/**
 * The tests {@code x is iterable} and {@code x is sequence} as Python's Jinja has them: true for
 * strings and dicts too (Python iterates over both and takes len() of both), where jinjava's are
 * true for Java lists and arrays only. Templates test tool results so (Llama 3.2 writes a result
 * that "is mapping or is iterable", a string included, with tojson).
 */
final class PythonIterableExpTest implements ExpTest {
    private final String name;

    private PythonIterableExpTest(String name) {
        this.name = name;
    }

    static final PythonIterableExpTest ITERABLE = new PythonIterableExpTest("iterable");
    static final PythonIterableExpTest SEQUENCE = new PythonIterableExpTest("sequence");

    @Override
    public String getName() {
        return name;
    }

    @Override
    public boolean evaluate(Object value, JinjavaInterpreter interpreter, Object... args) {
        return value instanceof String || value instanceof SafeString || value instanceof Map<?, ?> || value instanceof Iterable<?>
                || value != null && value.getClass().isArray();
    }
}
