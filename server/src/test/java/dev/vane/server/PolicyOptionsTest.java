package dev.vane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.guard.Policy;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** ServerOptions' guard policy and PolicyBlock's names, without a server. */
class PolicyOptionsTest {
    @Test
    void blockAnswersParseInAnyCase() {
        assertEquals(PolicyBlock.ERROR, PolicyBlock.parse("error"));
        assertEquals(PolicyBlock.REFUSAL, PolicyBlock.parse(" Refusal "));
        assertEquals("refusal", PolicyBlock.REFUSAL.option());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PolicyBlock.parse("deny"));
        assertEquals("a policy block answer must be 'error' or 'refusal', got 'deny'", e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PolicyBlock.parse(null)).getMessage().endsWith("got null"));
    }

    @Test
    void aPolicyIsOptionalAndChecked() {
        ServerOptions plain = ServerOptions.defaults("m");
        assertEquals(Optional.empty(), plain.policy());
        assertEquals(PolicyBlock.ERROR, plain.policyBlock());
        Policy p = Policy.defaults();
        ServerOptions guarded = plain.withPolicy(p, PolicyBlock.REFUSAL).withPort(0).withMaxTokens(8);
        assertEquals(p, guarded.policy().orElseThrow(), "kept through the other with* copies");
        assertEquals(PolicyBlock.REFUSAL, guarded.policyBlock());
        assertThrows(NullPointerException.class, () -> plain.withPolicy(null, PolicyBlock.ERROR));
        NullPointerException e = assertThrows(NullPointerException.class, () -> plain.withPolicy(p, null));
        assertTrue(e.getMessage().contains("policyBlock"), e.getMessage());
    }
}
