package dev.vane.model.json;

/** Malformed JSON: what was expected, and at which character. */
public class JsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int offset;

    public JsonException(String message, int offset) {
        super(message + " (at character " + offset + ")");
        this.offset = offset;
    }

    public int offset() {
        return offset;
    }
}
