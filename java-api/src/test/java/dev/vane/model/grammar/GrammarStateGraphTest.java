package dev.vane.model.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link StateGraph}'s transitions, filled a row at a time by the set of stacks that accept each
 * byte, against {@link MatchState#advance} byte by byte, along random walks over random grammars,
 * JSON schemas and a state with more stacks than a row is filled for at once.
 */
class GrammarStateGraphTest {
    // Checks every byte's transition from s; returns the live successors.
    private static List<MatchState> checkRow(StateGraph graph, MatchState s, List<MatchState> byId) {
        int id = graph.id(s);
        while (byId.size() < graph.size()) byId.add(null);
        byId.set(id, s);
        List<MatchState> live = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            MatchState expected = s.advance(b);
            int next = graph.step(id, b);
            while (byId.size() < graph.size()) byId.add(null);
            if (expected.isDead()) {
                assertEquals(StateGraph.DEAD, next, "byte " + b);
                continue;
            }
            assertTrue(next >= 0, "byte " + b + " leads to a live state");
            if (byId.get(next) == null) byId.set(next, expected);
            assertEquals(expected, byId.get(next), "byte " + b);
            assertEquals(graph.id(expected), next, "byte " + b);
            live.add(expected);
        }
        return live;
    }

    private static int walk(Grammar g, SplittableRandom r, int steps) {
        StateGraph graph = new StateGraph();
        List<MatchState> byId = new ArrayList<>();
        MatchState s = g.initialState();
        int n = 0;
        for (; n < steps; n++) {
            List<MatchState> live = checkRow(graph, s, byId);
            if (live.isEmpty()) break;
            s = live.get(r.nextInt(live.size()));
        }
        return n;
    }

    @Test
    void rowsEqualAdvancingByteByByte() {
        List<Grammar> grammars = new ArrayList<>(List.of(Grammar.fromGbnf(GbnfTest.ARITHMETIC), Grammar.anyJson(),
                Grammar.fromJsonSchema("{\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\", \"maxLength\": 5}, \"n\": {\"type\": \"integer\"}}}")));
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; grammars.size() < 12 && i < 500; i++) {
            try {
                grammars.add(Grammar.fromGbnf(RandomGrammars.gbnf(r)));
            } catch (GrammarException e) {
                // refused (left-recursive or never finishing): try another
            }
        }
        int steps = 0;
        for (Grammar g : grammars) for (int w = 0; w < 3; w++) steps += walk(g, new SplittableRandom(w), 30);
        assertTrue(steps > 200, "steps: " + steps);
    }

    @Test
    void aStateWithManyStacksIsAdvancedByteByByte() {
        StringBuilder gbnf = new StringBuilder("root ::= ");
        for (int i = 0; i < 100; i++) gbnf.append(i == 0 ? "" : " | ").append("\"a").append(i).append('"');
        Grammar g = Grammar.fromGbnf(gbnf.append('\n').toString());
        assertTrue(g.initialState().stacks.length > 64, "stacks: " + g.initialState().stacks.length);
        StateGraph graph = new StateGraph();
        List<MatchState> byId = new ArrayList<>();
        List<MatchState> after = checkRow(graph, g.initialState(), byId);
        assertEquals(1, after.size());
        assertEquals(100, after.get(0).stacks.length);
        checkRow(graph, after.get(0), byId);
    }
}
