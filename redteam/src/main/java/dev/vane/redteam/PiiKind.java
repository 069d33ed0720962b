package dev.vane.redteam;

import java.util.Locale;

/** The kinds of PII a probe can plant, each one a guard detector finds. */
public enum PiiKind {
    EMAIL, PHONE, CARD, SSN, IBAN, NINO;

    public String fileName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static PiiKind ofFileName(String s) {
        for (PiiKind k : values()) if (k.fileName().equals(s)) return k;
        throw new IllegalArgumentException("unknown PII kind '" + s + "'; expected email, phone, card, ssn, iban or nino");
    }
}
