package dev.vane.fuzz;

/**
 * The fuzzers' property: an input either parses or is refused with the parser's documented
 * exception, and that exception says something. Any other throwable escapes to Jazzer, which
 * reports it as a finding (with the input that caused it).
 */
final class Refusals {
    private Refusals() {}

    /** Fails (as a finding) when a documented refusal carries no message. */
    static void requireMessage(RuntimeException e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            throw new AssertionError("a " + e.getClass().getName() + " was thrown without a message saying what was expected", e);
        }
    }
}
