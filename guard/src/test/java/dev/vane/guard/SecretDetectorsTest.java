package dev.vane.guard;

import static dev.vane.guard.Detect.found;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SecretDetectorsTest {
    private final Detector keys = new ApiKeyDetector();

    private String category(String text) {
        List<Match> m = keys.find(text, 0);
        assertEquals(1, m.size(), () -> "one key in " + text + ", got " + m);
        return m.get(0).category();
    }

    @Test void knownKeyShapes() {
        assertEquals("AWS_ACCESS_KEY", category("aws AKIAIOSFODNN7EXAMPLE here"));
        assertEquals("GITHUB_TOKEN", category("ghp_" + "aB3".repeat(12)));
        assertEquals("GITHUB_TOKEN", category("token github_pat_11ABCDEFG0" + "x1Y2z3".repeat(12)));
        assertEquals("SLACK_TOKEN", category("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"));
        assertEquals("OPENAI_KEY", category("OPENAI sk-proj-4fK9s0dLq2ZxV7bN1mR8tY3w"));
        assertEquals("GOOGLE_API_KEY", category("key AIzaSyA1234567890abcdefghijklmnopqrstuv ok"));
    }

    @Test void nearMissesAreNotKeys() {
        for (String s : List.of("AKIA1234", "AKIAIOSFODNN7EXAMPLEX", "ghp_short", "sk-this-is-not-a-key", "a risk-free task-management plan",
                "xoxb-123", "AIzaShort", "the desk-top sk-abcdefghijklmnopqrstuvwxyz")) {
            assertEquals(List.of(), found(keys, s), s);
        }
    }

    @Test void genericAssignmentsNeedARandomLookingValue() {
        assertEquals("API_KEY", category("api_key = \"Zx81kQ0pLm29VbTq7Yr4\""));
        assertEquals("API_KEY", category("client_secret: 9fJ2kL0qP3xZ7vB1nM5t"));
        assertEquals("API_KEY", category("PASSWORD='h7Gq2Lz9Xw4Rk1Tp'"));
        for (String s : List.of("api_key = \"YOUR_API_KEY_HERE_PLEASE\"", "api_key = \"aaaaaaaaaaaaaaaa1\"", "token: short1",
                "password = hunter2", "the secret is out")) {
            assertEquals(List.of(), found(keys, s), s);
        }
    }

    @Test void entropyIsShannonsInBitsPerChar() {
        assertEquals(0.0, ApiKeyDetector.entropy("aaaa"), 1e-12);
        assertEquals(2.0, ApiKeyDetector.entropy("abcd"), 1e-12);
    }

    @Test void pemPrivateKeyBlocks() {
        Detector d = new PemPrivateKeyDetector();
        String rsa = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nq1w2e3r4\n-----END RSA PRIVATE KEY-----";
        String pkcs8 = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
        String pgp = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF\n-----END PGP PRIVATE KEY BLOCK-----";
        assertEquals(List.of(rsa), found(d, "key:\n" + rsa + "\nthanks"));
        assertEquals(List.of(pkcs8), found(d, pkcs8));
        assertEquals(List.of(pgp), found(d, pgp));
        assertEquals(List.of(), found(d, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"));
        assertEquals(List.of(), found(d, "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----"));
        assertEquals(List.of(), found(d, "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END EC PRIVATE KEY-----"), "footer must match");
        assertEquals(List.of(), found(d, "-----BEGIN PRIVATE KEY-----\nMIIE truncated"));
    }
}
