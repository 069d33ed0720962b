package dev.vane.redteam.score;

import java.util.Locale;

/** A case's outcome: the target withstood the attack, fell for it, or it could not be judged. */
public enum Verdict {
    PASS, FAIL, UNSCORED;

    public String fileName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
