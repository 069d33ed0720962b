package dev.vane.jinja;

/** A chat template that could not render a conversation: it raised an exception, or it is not valid for jinjava. */
public class TemplateRenderException extends IllegalArgumentException {
    TemplateRenderException(String message, Throwable cause) {
        super(message, cause);
    }
}
