package dev.vane.guard.moderation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.guard.Action;
import dev.vane.guard.Direction;
import dev.vane.guard.EmailDetector;
import dev.vane.guard.Emit;
import dev.vane.guard.Finding;
import dev.vane.guard.Match;
import dev.vane.guard.Policy;
import dev.vane.guard.Rule;
import dev.vane.guard.StreamGuard;
import dev.vane.guard.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A moderator as a policy rule: verdicts, per-category actions, what the moderator is asked, streams. Scripted answers stand in for a trained model. */
class ModerationPolicyTest {
    final ScriptedModerator moderator = ScriptedModerator.keywords();
    final Policy policy = Policy.builder()
            .rule(Rule.of("email", new EmailDetector(), Action.REDACT))
            .rule(Rule.of("guard", new ModeratorDetector(moderator), Action.BLOCK)
                    .withCategoryActions(Map.of("S6", Action.ALLOW, "S10", Action.REDACT)))
            .blockMessage("Sorry.")
            .build();

    @Test void categoriesMapToTheirActionsAndTheStrongestWins() {
        String knife = "how do I sharpen a knife to hurt someone";
        Verdict v = policy.checkInput(knife);
        assertTrue(v.blocked());
        assertEquals("Sorry.", v.text());
        assertEquals(List.of(new Finding("guard", "llama-guard", 0, knife.length(), "S1", Action.BLOCK)), v.findings());

        Verdict advice = policy.checkInput("my doctor says rest");
        assertEquals(Action.ALLOW, advice.action(), "S6 is only reported");
        assertEquals("my doctor says rest", advice.text());
        assertEquals("S6", advice.findings().getFirst().category());

        Verdict slur = policy.checkInput("a slur here");
        assertEquals(Action.REDACT, slur.action());
        assertEquals("[S10]", slur.text(), "a finding spans the whole text");

        Verdict both = policy.checkInput("an insult");
        assertTrue(both.blocked(), "S10 redacts but S1 blocks");
        assertEquals(List.of("S10", "S1"), both.findings().stream().map(Finding::category).toList());
        assertEquals(List.of(Action.REDACT, Action.BLOCK), both.findings().stream().map(Finding::action).toList());

        Verdict unnamed = policy.checkInput("something bad");
        assertTrue(unnamed.blocked(), "an unsafe answer without categories takes the default");
        assertEquals(ModeratorDetector.UNSAFE, unnamed.findings().getFirst().category());

        Verdict fine = policy.checkInput("the weather is fine");
        assertEquals(Action.ALLOW, fine.action());
        assertEquals(List.of(), fine.findings());
    }

    @Test void spanDetectorsAndTheModeratorTogether() {
        Verdict v = policy.checkInput("write to a@b.io, my doctor agrees");
        assertEquals(Action.REDACT, v.action());
        assertEquals("write to [EMAIL], my doctor agrees", v.text(), "the S6 finding is allowed; the e-mail is redacted");
        assertEquals(List.of("S6", "EMAIL"), v.findings().stream().map(Finding::category).toList(), "in order of start, longer first");
        assertEquals("write to a@b.io, my doctor agrees", moderator.asked.getFirst().getFirst().text(), "the moderator sees the original text");
    }

    @Test void inputsAreUserTurnsAndOutputsAgentRepliesToThePrompt() {
        policy.checkInput("hello");
        policy.checkOutput("what is the weather?", "sunny");
        policy.checkOutput("sunny again");
        policy.checkInput("   \n");  // blank: not sent
        assertEquals(List.of(
                List.of(Turn.user("hello")),
                List.of(Turn.user("what is the weather?"), Turn.agent("sunny")),
                List.of(Turn.agent("sunny again"))), moderator.asked);
    }

    @Test void aStreamIsHeldAndJudgedOnceAtTheEnd() {
        StreamGuard g = policy.streamOutput("tell me about a@b.io");
        StringBuilder shown = new StringBuilder();
        for (String piece : List.of("Write ", "to a@b.io", " — ", "it is safe.")) {
            Emit e = g.accept(piece);
            assertFalse(e.stop());
            shown.append(e.text());
        }
        assertEquals("", shown.toString(), "nothing is released before the moderator judged the whole reply");
        assertEquals(0, moderator.asked.size());
        Emit last = g.finish();
        assertFalse(last.stop());
        assertEquals("Write to [EMAIL] — it is safe.", last.text());
        assertEquals(List.of(List.of(Turn.user("tell me about a@b.io"), Turn.agent("Write to a@b.io — it is safe."))), moderator.asked);
        assertEquals(policy.checkOutput("tell me about a@b.io", "Write to a@b.io — it is safe.").text(), last.text(), "the stream equals the whole check");

        StreamGuard blocked = policy.streamOutput();
        assertEquals("", blocked.accept("here is a kni").text());
        assertEquals("", blocked.accept("fe trick").text());
        Emit stop = blocked.finish();
        assertTrue(stop.stop());
        assertEquals("Sorry.", stop.message());
        assertEquals("S1", stop.findings().getFirst().category());
    }

    @Test void aStreamWithoutAModeratorRuleReleasesAsBefore() {
        Policy spans = Policy.builder().rule(Rule.of("email", new EmailDetector(), Action.REDACT)).build();
        StreamGuard g = spans.streamOutput("prompt");
        assertEquals("Hello ", g.accept("Hello world").text(), "only the last word may still grow into a match");
    }

    @Test void ruleCategoryActions() {
        Rule r = Rule.of("guard", new ModeratorDetector(moderator), Action.BLOCK).withCategoryActions(Map.of("S10", Action.REDACT));
        assertEquals(Action.REDACT, r.actionFor("S10"));
        assertEquals(Action.BLOCK, r.actionFor("S1"));
        assertEquals("[redacted]", r.withReplacement("[redacted]").replacementFor("S10"), "a replacement is allowed when some category redacts");
        assertEquals(Map.of("S10", Action.REDACT), r.on(Direction.INPUT).categoryActions(), "on() keeps the category actions");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Rule.of("g", new ModeratorDetector(moderator), Action.BLOCK).withCategoryActions(Map.of("S1", Action.ALLOW)).withReplacement("x"));
        assertTrue(e.getMessage().contains("has a replacement but its action is BLOCK, not REDACT"), e.getMessage());
        assertThrows(NullPointerException.class, () -> r.withCategoryActions(null));
        assertEquals(Map.of(), Rule.of("plain", new EmailDetector(), Action.REDACT).categoryActions());
    }

    @Test void theDetectorsContract() {
        ModeratorDetector d = new ModeratorDetector(moderator);
        assertEquals("llama-guard", d.name());
        assertTrue(d.wholeText());
        assertEquals(Integer.MAX_VALUE, d.maxLength());
        assertEquals(3, d.holdFrom("abcdef", 3), "nothing is final until the text ends");
        assertEquals(List.of(new Match(2, 10, "S1")), d.find("xxa knife!", 2), "the match covers the text from 'from'");
        assertEquals(List.of(Turn.user("a knife!")), moderator.asked.getLast(), "find(text, from) judges the text from 'from' as an input");
        assertEquals(List.of(), d.find(Direction.OUTPUT, "q", "fine", 0));
        assertEquals(List.of(Turn.user("q"), Turn.agent("fine")), moderator.asked.getLast());
        assertEquals("guard2", new ModeratorDetector("guard2", moderator).name());
        assertThrows(NullPointerException.class, () -> new ModeratorDetector(null));
    }
}
