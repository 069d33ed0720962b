package dev.vane.redteam.targets;

/** The target cannot go on (unreachable, refused the API key): the run stops, as no further case could be scored. */
public final class TargetException extends RuntimeException {
    public TargetException(String message, Throwable cause) {
        super(message, cause);
    }

    public TargetException(String message) {
        super(message);
    }
}
