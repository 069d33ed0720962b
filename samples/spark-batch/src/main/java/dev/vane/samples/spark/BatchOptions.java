package dev.vane.samples.spark;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The job's command line: {@code --model PATH --input PATH --output PATH} and the optional
 * settings (see {@link #USAGE}). Every option is --name=value or --name value.
 */
record BatchOptions(String model, String input, String inputFormat, String output, String column, int maxTokens, int batchSize, int maxInFlight,
        int contextLength, double temperature, long seed, String onTooLong, boolean ship, int partitions) {
    static final String USAGE = """
            usage: SparkBatchGenerate --model PATH --input PATH --output PATH [options]
              --model PATH          the model file (GGUF) on a path every executor sees, or any local file with --ship
              --input PATH          prompts: .txt (one a line), .json / .jsonl (JSON lines), .csv (with a header) or .parquet
              --output PATH         where the rows go with their completions: Parquet, or JSON lines if it ends in .json
              --input-format F      text, json, csv or parquet (default: from the input's extension)
              --column NAME         the prompt column (default prompt; a text file's lines are it)
              --max-tokens N        tokens generated a row (default 64)
              --batch-size N        sequences a partition steps together (default 8)
              --max-in-flight N     rows of a partition read ahead (default 2 x batch size)
              --context-length N    positions a row's sequence holds, 0 for the model's (default 0)
              --temperature T       0 is greedy (default 0)
              --seed S              each row's sampling seed (default 0)
              --on-too-long P       fail (the job fails) or error (the row gets an error column) (default fail)
              --ship                send the model file to every executor (SparkContext.addFile) instead of a shared path
              --partitions N        repartition the input into N partitions, 0 to keep its own (default 0)
            """;

    private static final Set<String> FLAGS = Set.of("ship");
    private static final Set<String> VALUED = Set.of("model", "input", "output", "input-format", "column", "max-tokens", "batch-size", "max-in-flight",
            "context-length", "temperature", "seed", "on-too-long", "partitions");

    static BatchOptions parse(String[] args) {
        Map<String, String> v = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) throw new IllegalArgumentException("expected an option (--name), got '" + a + "'\n" + USAGE);
            String name = a.substring(2), value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (FLAGS.contains(name)) {
                if (value != null) throw new IllegalArgumentException("--" + name + " takes no value\n" + USAGE);
                value = "true";
            } else if (VALUED.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) throw new IllegalArgumentException("--" + name + " needs a value\n" + USAGE);
                    value = args[++i];
                }
            } else {
                throw new IllegalArgumentException("unknown option --" + name + "\n" + USAGE);
            }
            v.put(name, value);
        }
        for (String required : new String[] {"model", "input", "output"}) {
            if (!v.containsKey(required)) throw new IllegalArgumentException("--" + required + " is required\n" + USAGE);
        }
        String input = v.get("input");
        String format = v.getOrDefault("input-format", formatOf(input));
        if (!Set.of("text", "json", "csv", "parquet").contains(format)) {
            throw new IllegalArgumentException("--input-format must be text, json, csv or parquet, got " + format);
        }
        int batch = integer(v, "batch-size", 8);
        return new BatchOptions(v.get("model"), input, format, v.get("output"), v.getOrDefault("column", "prompt"), integer(v, "max-tokens", 64), batch,
                integer(v, "max-in-flight", 2 * batch), integer(v, "context-length", 0), number(v, "temperature", 0), integer(v, "seed", 0),
                v.getOrDefault("on-too-long", "fail"), v.containsKey("ship"), integer(v, "partitions", 0));
    }

    private static String formatOf(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        if (p.endsWith(".parquet")) return "parquet";
        if (p.endsWith(".json") || p.endsWith(".jsonl")) return "json";
        if (p.endsWith(".csv")) return "csv";
        return "text";
    }

    private static int integer(Map<String, String> v, String name, int otherwise) {
        String s = v.get(name);
        if (s == null) return otherwise;
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + s + "'");
        }
    }

    private static double number(Map<String, String> v, String name, double otherwise) {
        String s = v.get(name);
        if (s == null) return otherwise;
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + s + "'");
        }
    }
}
