package dev.vane.bindings;

/**
 * libvane could not be loaded. The message lists every place the loader tried and why each one
 * failed, and how to fix it.
 */
public final class NativeLibraryException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public NativeLibraryException(String message) {
        super(message);
    }

    public NativeLibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
