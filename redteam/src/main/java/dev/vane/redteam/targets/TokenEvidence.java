package dev.vane.redteam.targets;

import java.util.Objects;

/** Whether control-token text the user sent was taken as control tokens by the target, and how that was seen. */
public record TokenEvidence(boolean parsed, String detail) {
    public TokenEvidence {
        Objects.requireNonNull(detail, "detail must not be null");
    }
}
