package dev.vane.guard.moderation;

import java.util.Locale;
import java.util.Optional;

/** The MLCommons hazard taxonomy as Llama Guard 3 numbers it (S1–S14), with the titles its prompt lists. */
public enum HazardCategory {
    S1("Violent Crimes"),
    S2("Non-Violent Crimes"),
    S3("Sex Crimes"),
    S4("Child Exploitation"),
    S5("Defamation"),
    S6("Specialized Advice"),
    S7("Privacy"),
    S8("Intellectual Property"),
    S9("Indiscriminate Weapons"),
    S10("Hate"),
    S11("Self-Harm"),
    S12("Sexual Content"),
    S13("Elections"),
    S14("Code Interpreter Abuse");

    private final String title;

    HazardCategory(String title) {
        this.title = title;
    }

    /** The code the model writes, e.g. "S10". */
    public String code() {
        return name();
    }

    /** The title the prompt lists, e.g. "Hate". */
    public String title() {
        return title;
    }

    /** The category for a code such as "S10" or "s10" (surrounding spaces ignored), if there is one. */
    public static Optional<HazardCategory> ofCode(String code) {
        String c = code.strip().toUpperCase(Locale.ROOT);
        for (HazardCategory h : values()) if (h.name().equals(c)) return Optional.of(h);
        return Optional.empty();
    }
}
