package dev.vane.model.gguf;

/** A GGUF file that does not follow the format: what was expected, and where in the file. */
public class GgufFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long offset;

    public GgufFormatException(String message, long offset) {
        super(message + " (at byte " + offset + ")");
        this.offset = offset;
    }

    /** Byte offset in the file where the problem was found. */
    public long offset() {
        return offset;
    }
}
