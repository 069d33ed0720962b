package dev.vane.model;

/**
 * A model file Vane cannot run: an unknown architecture, a missing or misshapen tensor,
 * hyperparameters out of range. The message names the problem and what was expected.
 */
public class ModelFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
