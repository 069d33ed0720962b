package dev.vane.model.grammar;

import java.util.function.BinaryOperator;

/**
 * The string formats a JSON schema may name, as GBNF for the text between the quotes: strict
 * subsets of RFC 3339 (date, time, date-time: no leap second, February has 28 days), lowercase
 * RFC 4122 uuid, and a simple email (dot-separated atoms @ a host name ending in a letters-only label).
 */
final class StringFormats {
    private StringFormats() {}

    /** The rule for format f, made with rule(hint, body). */
    static String rule(BinaryOperator<String> rule, String f) {
        return switch (f) {
            case "date" -> date(rule);
            case "time" -> time(rule);
            case "date-time" -> rule.apply("date-time", date(rule) + " \"T\" " + time(rule));
            case "uuid" -> rule.apply("uuid", "[0-9a-f]{8} \"-\" [0-9a-f]{4} \"-\" [0-9a-f]{4} \"-\" [0-9a-f]{4} \"-\" [0-9a-f]{12}");
            case "email" -> {
                String atom = "[a-zA-Z0-9_+-]{1,32}", label = "[a-z0-9] ( [a-z0-9-]{0,20} [a-z0-9] )?";
                yield rule.apply("email", atom + " ( \".\" " + atom + " ){0,3} \"@\" ( " + label + " \".\" ){1,3} [a-z]{2,8}");
            }
            default -> throw new GrammarException("format " + f + " is not supported");
        };
    }

    private static String date(BinaryOperator<String> rule) {
        String d31 = "( \"0\" [1-9] | [12] [0-9] | \"3\" [01] )", d30 = "( \"0\" [1-9] | [12] [0-9] | \"30\" )",
                d28 = "( \"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8] )";
        return rule.apply("date", "[0-9]{4} \"-\" ( ( \"0\" [13578] | \"1\" [02] ) \"-\" " + d31 + " | ( \"0\" [469] | \"11\" ) \"-\" " + d30
                + " | \"02-\" " + d28 + " )");
    }

    private static String time(BinaryOperator<String> rule) {
        String hh = "( [01] [0-9] | \"2\" [0-3] )", mm = "[0-5] [0-9]";
        return rule.apply("time", hh + " \":\" " + mm + " \":\" " + mm + " ( \".\" [0-9]{1,6} )? ( \"Z\" | [+-] " + hh + " \":\" " + mm + " )");
    }
}
