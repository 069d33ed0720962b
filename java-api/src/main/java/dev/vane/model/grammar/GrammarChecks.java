package dev.vane.model.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * What a top-down byte matcher needs of a grammar: every rule reachable from the start can finish
 * (derives some finite string), and no rule reaches itself before consuming a byte (left
 * recursion, or a repetition of something that may match nothing), which would expand forever.
 */
final class GrammarChecks {
    private GrammarChecks() {}

    static void check(Program p) {
        int n = p.alternatives.length;
        boolean[] nullable = fixpoint(p, true);
        boolean[] productive = fixpoint(p, false);
        boolean[] reachable = reachable(p);
        for (int r = 0; r < n; r++) {
            if (reachable[r] && !productive[r]) throw new GrammarException("rule " + p.names[r] + " can never finish matching (every alternative refers back to it)");
        }
        // Edges r -> s where s may be the first thing r expands to (after nullable elements).
        List<List<Integer>> first = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            List<Integer> edges = new ArrayList<>();
            for (int start : p.alternatives[r]) {
                for (int i = start; p.code[i] != Program.END; i++) {
                    int e = p.code[i];
                    if (!Program.isRef(e)) break;
                    edges.add(Program.ruleOf(e));
                    if (!nullable[Program.ruleOf(e)]) break;
                }
            }
            first.add(edges);
        }
        int[] mark = new int[n];  // 0 new, 1 on the path, 2 done
        for (int r = 0; r < n; r++) if (reachable[r] && mark[r] == 0) visit(p, r, first, mark, new ArrayList<>());
    }

    private static void visit(Program p, int r, List<List<Integer>> first, int[] mark, List<Integer> path) {
        mark[r] = 1;
        path.add(r);
        for (int s : first.get(r)) {
            if (mark[s] == 1) {
                StringBuilder cycle = new StringBuilder();
                for (int i = path.indexOf(s); i < path.size(); i++) cycle.append(p.names[path.get(i)]).append(" -> ");
                cycle.append(p.names[s]);
                throw new GrammarException("left recursion: " + cycle + " reaches itself without consuming input"
                        + " (rewrite it right-recursive, or do not repeat something that can match nothing)");
            }
            if (mark[s] == 0) visit(p, s, first, mark, path);
        }
        path.remove(path.size() - 1);
        mark[r] = 2;
    }

    // empty: which rules match the empty string; else which rules match some finite string.
    private static boolean[] fixpoint(Program p, boolean empty) {
        int n = p.alternatives.length;
        boolean[] yes = new boolean[n];
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int r = 0; r < n; r++) {
                if (yes[r]) continue;
                for (int start : p.alternatives[r]) {
                    boolean all = true;
                    for (int i = start; p.code[i] != Program.END && all; i++) {
                        int e = p.code[i];
                        all = Program.isRef(e) ? yes[Program.ruleOf(e)] : !empty;
                    }
                    if (all) {
                        yes[r] = changed = true;
                        break;
                    }
                }
            }
        }
        return yes;
    }

    private static boolean[] reachable(Program p) {
        boolean[] seen = new boolean[p.alternatives.length];
        List<Integer> todo = new ArrayList<>(List.of(p.root));
        seen[p.root] = true;
        while (!todo.isEmpty()) {
            int r = todo.remove(todo.size() - 1);
            for (int start : p.alternatives[r]) {
                for (int i = start; p.code[i] != Program.END; i++) {
                    int e = p.code[i];
                    if (Program.isRef(e) && !seen[Program.ruleOf(e)]) {
                        seen[Program.ruleOf(e)] = true;
                        todo.add(Program.ruleOf(e));
                    }
                }
            }
        }
        return seen;
    }
}
