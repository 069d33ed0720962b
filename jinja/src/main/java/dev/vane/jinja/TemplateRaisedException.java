package dev.vane.jinja;

/** Thrown by raise_exception(message) inside a template; the render reports its message. */
final class TemplateRaisedException extends RuntimeException {
    TemplateRaisedException(String message) {
        super(message);
    }
}
