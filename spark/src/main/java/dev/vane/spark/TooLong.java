package dev.vane.spark;

import java.util.Locale;

/** What a row whose input does not fit the context gets: the task fails, or the row gets an error value. */
public enum TooLong {
    /** The task fails with an exception naming the row's token count and the context (Spark retries it, then fails the job). */
    FAIL,
    /** The output is null and the error column holds the reason; the other rows go on. */
    ERROR;

    /** "fail" or "error", any case. */
    public static TooLong parse(String name) {
        if (name != null) {
            switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "fail":
                    return FAIL;
                case "error":
                    return ERROR;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("onTooLong must be \"fail\" (the task fails) or \"error\" (the row gets an error value), got " + name);
    }

    public String paramValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
