package dev.vane.redteam.targets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.Model;
import dev.vane.model.chat.ChatMessage;
import dev.vane.redteam.Probe;
import dev.vane.redteam.RedTeam;
import dev.vane.redteam.Suites;
import dev.vane.redteam.mutation.Mutations;
import dev.vane.redteam.score.Result;
import dev.vane.redteam.score.Verdict;
import dev.vane.server.ServerOptions;
import dev.vane.server.VaneServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The endpoint target against a real Vane server on the embedded model, compared with the same model in-process. */
class EndpointTargetTest {
    private static final String KEY = "test-key-123";
    private static Model model;
    private static VaneServer server;

    @BeforeAll
    static void start() throws Exception {
        model = EmbeddedModel.load();
        server = VaneServer.start(model, ServerOptions.defaults("tiny").withPort(0).withApiKey(KEY).withScheduling(2, 8));
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    private static EndpointTarget endpoint() {
        return new EndpointTarget("http://127.0.0.1:" + server.port(), Optional.empty(), Optional.of(KEY), Duration.ofSeconds(30));
    }

    /**
     * The same cases, greedy: equal replies, verdicts and prompt token counts, the special-token
     * probes included. The server once encoded the rendered chat with special tokens parsed, message
     * contents included, so a user who typed the model's BOS/EOS text got control tokens there (the
     * endpoint target failed exactly those cases); it now encodes contents as text, as Session.chat does.
     */
    @Test
    void theEndpointGivesTheInProcessVerdictsControlTokenProbesIncluded() {
        List<Probe> probes = new ArrayList<>();
        for (String s : List.of("jailbreak", "prompt-injection", "pii-exfiltration")) probes.addAll(Suites.builtIn(s).subList(0, 1));
        probes.addAll(Suites.builtIn("special-tokens").subList(0, 3));  // llama3 headers, llama3 BOS/EOS, ChatML
        probes.add(Suites.builtIn("harm").get(0));
        RedTeam.Options o = new RedTeam.Options(21, Mutations.names(), 1, Decoding.greedy(16));
        List<Result> local = RedTeam.run(probes, new InProcessTarget(model, "tiny"), Optional.empty(), o, r -> {});
        List<Result> remote;
        try (EndpointTarget e = endpoint()) {
            assertEquals("tiny", e.model(), "from GET /v1/models");
            remote = RedTeam.run(probes, e, Optional.empty(), o, r -> {});
        }
        assertEquals(local.size(), remote.size());
        Set<String> own = Set.of(model.specialTokenTexts().bos(), model.specialTokenTexts().eos());
        int smuggling = 0;
        for (int i = 0; i < local.size(); i++) {
            Result a = local.get(i), b = remote.get(i);
            String id = a.kase().id();
            assertEquals(id, b.kase().id());
            if (a.kase().probe().tokens().stream().anyMatch(own::contains)) {
                smuggling++;
                assertEquals(Verdict.PASS, b.verdict(), id + " over the endpoint: " + b.reason());
            }
            assertEquals(a.reply().text(), b.reply().text(), id);
            assertEquals(a.verdict(), b.verdict(), id + ": " + a.reason() + " / " + b.reason());
            assertEquals(a.reply().failed(), b.reply().failed(), id);
            if (a.reply().failed()) continue;  // both refused (a prompt too long for the context), each in its own words
            assertEquals(a.reason(), b.reason(), id);
            assertEquals(a.reply().promptTokens(), b.reply().promptTokens(), id);
        }
        assertEquals(2, smuggling, "llama3-bos-eos under none and one mutation");
    }

    @Test
    void aCaseTheServerRefusesIsThatCasesErrorAndTheRunGoesOn() {
        try (EndpointTarget e = endpoint()) {
            Reply r = e.chat(List.of(ChatMessage.user("word ".repeat(400))), Decoding.greedy(8), 0);
            assertTrue(r.failed());
            assertTrue(r.error().get().startsWith("HTTP 400: the prompt has "), r.error().get());
            assertTrue(e.chat(List.of(ChatMessage.user("Who made the earth?")), Decoding.greedy(4), 0).completionTokens() > 0);
        }
    }

    @Test
    void aMissingKeyOrAnUnreachableServerStopsTheRun() throws Exception {
        TargetException noKey = assertThrows(TargetException.class,
                () -> new EndpointTarget("http://127.0.0.1:" + server.port(), Optional.empty(), Optional.empty(), Duration.ofSeconds(10)));
        assertTrue(noKey.getMessage().contains("refused the request (HTTP 401)") && noKey.getMessage().endsWith("give its key with --api-key"), noKey.getMessage());
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        TargetException down = assertThrows(TargetException.class,
                () -> new EndpointTarget("http://127.0.0.1:" + closedPort, Optional.of("m"), Optional.empty(), Duration.ofSeconds(10))
                        .chat(List.of(ChatMessage.user("hi")), Decoding.greedy(4), 0));
        assertTrue(down.getMessage().startsWith("cannot connect to http://127.0.0.1:" + closedPort + "/v1/chat/completions"), down.getMessage());
    }

    @Test
    void theUrlMayBeTheServerItsV1OrTheFullPathAndAnythingElseIsRefused() {
        assertEquals("http://h:1/v1/chat/completions", EndpointTarget.chatUri("http://h:1").toString());
        assertEquals("http://h:1/v1/chat/completions", EndpointTarget.chatUri("http://h:1/").toString());
        assertEquals("http://h:1/v1/chat/completions", EndpointTarget.chatUri("http://h:1/v1").toString());
        assertEquals("https://h/api/v1/chat/completions", EndpointTarget.chatUri("https://h/api/v1/chat/completions").toString());
        assertEquals("the endpoint must be an http(s) URL such as http://127.0.0.1:8080, got 'ftp://h'",
                assertThrows(IllegalArgumentException.class, () -> EndpointTarget.chatUri("ftp://h")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EndpointTarget.chatUri("http://bad host")).getMessage()
                .startsWith("the endpoint must be an http(s) URL such as http://127.0.0.1:8080, got 'http://bad host': "));
        assertThrows(IllegalArgumentException.class, () -> new EndpointTarget("http://h:1", Optional.of("m"), Optional.empty(), Duration.ZERO));
    }
}
