package dev.vane.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import dev.vane.model.json.JsonWriter;
import java.util.Map;

/**
 * tojson as Hugging Face's chat templates define it: Python's json.dumps(value, ensure_ascii=False)
 * with its ", " and ": " separators, or one item a line with tojson(indent=N). Jinjava's own
 * tojson writes Jackson's compact form, which is not what the models were trained on.
 */
final class TojsonFilter implements Filter {
    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object value, JinjavaInterpreter interpreter, String... args) {
        return write(value, args.length > 0 ? args[0] : null);
    }

    @Override
    public Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
        return write(value, indent);
    }

    private static String write(Object value, Object indent) {
        Object plain = PlainValues.of(value);
        if (indent == null) return JsonWriter.python(plain);
        return JsonWriter.pythonIndented(plain, Integer.parseInt(String.valueOf(indent)));
    }
}
