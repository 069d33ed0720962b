package dev.vane.redteam.targets;

import java.util.Objects;
import java.util.Optional;

/**
 * What a target answered: the text, why it stopped ("stop", "length"), the prompt and reply token
 * counts (-1 where the target does not say), or, when the target refused this one case (a prompt
 * too long for its context, an HTTP 4xx), the error instead.
 */
public record Reply(String text, String finishReason, int promptTokens, int completionTokens, Optional<String> error) {
    public Reply {
        Objects.requireNonNull(text, "text must not be null");
        Objects.requireNonNull(finishReason, "finishReason must not be null");
        Objects.requireNonNull(error, "error must not be null");
    }

    public static Reply of(String text, String finishReason, int promptTokens, int completionTokens) {
        return new Reply(text, finishReason, promptTokens, completionTokens, Optional.empty());
    }

    public static Reply failed(String error) {
        return new Reply("", "error", -1, -1, Optional.of(error));
    }

    public boolean failed() {
        return error.isPresent();
    }
}
