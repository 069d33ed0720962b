package dev.vane.model.grammar;

/** A grammar or JSON schema that cannot be compiled: the message says where and what was expected. */
public class GrammarException extends IllegalArgumentException {
    public GrammarException(String message) {
        super(message);
    }
}
