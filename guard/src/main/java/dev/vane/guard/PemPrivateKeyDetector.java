package dev.vane.guard;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM private-key blocks, header to footer: "-----BEGIN [RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP ]PRIVATE
 * KEY[ BLOCK]-----" ... the same END line. The block must close within 8192 chars (an RSA-4096 key in
 * PKCS#8 is about 3.3k); a header without its footer is not flagged, so a truncated key is missed.
 * Certificates and public keys are not secrets and are left alone.
 */
public final class PemPrivateKeyDetector extends RegexDetector {
    static final int MAX_BODY = 8192;
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ((?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?)PRIVATE KEY((?: BLOCK)?)-----"
            + "[\\s\\S]{0," + MAX_BODY + "}?-----END \\1PRIVATE KEY\\2-----");

    public PemPrivateKeyDetector() {
        super("pem-private-key", PEM, MAX_BODY + 2 * 48);
    }

    @Override Match check(Matcher m) {
        return new Match(m.start(), m.end(), "PRIVATE_KEY");
    }
}
