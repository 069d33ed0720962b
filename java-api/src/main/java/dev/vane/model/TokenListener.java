package dev.vane.model;

/** Receives tokens as they are generated; returning false cancels the generation after this token. */
@FunctionalInterface
public interface TokenListener {
    boolean onToken(GeneratedToken token);
}
