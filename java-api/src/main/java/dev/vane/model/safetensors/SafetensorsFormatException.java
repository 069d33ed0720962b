package dev.vane.model.safetensors;

/** A safetensors file that does not follow the format: what was expected. */
public class SafetensorsFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SafetensorsFormatException(String message) {
        super(message);
    }
}
