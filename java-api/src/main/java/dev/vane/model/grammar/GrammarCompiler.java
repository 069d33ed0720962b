package dev.vane.model.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns parsed rules into a byte-level {@link Program}: literals become one byte set per UTF-8
 * byte, code point classes the UTF-8 byte-range sequences of their ranges, groups and repetitions
 * helper rules (x* as s ::= x s | empty, x{m,n} as m copies then n - m nested optionals). Refuses
 * undefined rules, rules that can never finish, and rules that reach themselves without consuming
 * a byte (left recursion), which a top-down matcher cannot run.
 */
final class GrammarCompiler {
    private final Map<String, Expr> source;
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> names = new ArrayList<>();
    private final List<List<List<Integer>>> rules = new ArrayList<>();
    private final Map<String, Integer> setIds = new HashMap<>();
    private final List<long[]> sets = new ArrayList<>();

    private GrammarCompiler(Map<String, Expr> source) {
        this.source = source;
    }

    static Program compile(Map<String, Expr> rules, String start) {
        if (!rules.containsKey(start)) throw new GrammarException("the grammar has no rule " + start + " (the start rule)");
        GrammarCompiler c = new GrammarCompiler(rules);
        for (String name : rules.keySet()) c.declare(name);
        for (Map.Entry<String, Expr> e : rules.entrySet()) c.define(c.ids.get(e.getKey()), e.getValue());
        Program p = c.flatten(c.ids.get(start));
        GrammarChecks.check(p);
        return p;
    }

    private int declare(String name) {
        int id = names.size();
        names.add(name);
        rules.add(new ArrayList<>());
        ids.put(name, id);
        return id;
    }

    private void define(int rule, Expr body) {
        List<List<Integer>> alts = rules.get(rule);
        if (body instanceof Expr.Alt a) {
            for (Expr o : a.options()) alts.add(sequence(o, rule));
        } else alts.add(sequence(body, rule));
    }

    private List<Integer> sequence(Expr e, int owner) {
        List<Integer> seq = new ArrayList<>();
        append(e, seq, owner);
        return seq;
    }

    private int helper(int owner) {
        return declare(names.get(owner) + "-" + names.size());
    }

    private void append(Expr e, List<Integer> seq, int owner) {
        switch (e) {
            case Expr.Literal l -> {
                for (int cp : l.codePoints()) {
                    for (byte b : Utf8Ranges.encode(cp, Utf8Ranges.length(cp))) seq.add(set(b & 0xFF, b & 0xFF));
                }
            }
            case Expr.CharClass c -> appendClass(c, seq, owner);
            case Expr.Ref r -> {
                Integer id = ids.get(r.name());
                if (id == null || !source.containsKey(r.name())) {
                    throw new GrammarException("GBNF " + r.line() + ":" + r.column() + ": undefined rule " + r.name());
                }
                seq.add(Program.ref(id));
            }
            case Expr.Seq s -> {
                for (Expr i : s.items()) append(i, seq, owner);
            }
            case Expr.Alt a -> {
                int h = helper(owner);
                for (Expr o : a.options()) rules.get(h).add(sequence(o, h));
                seq.add(Program.ref(h));
            }
            case Expr.Repeat r -> appendRepeat(r, seq, owner);
        }
    }

    private void appendRepeat(Expr.Repeat r, List<Integer> seq, int owner) {
        List<Integer> item = sequence(r.item(), owner);
        int one;  // one element that matches the item once
        if (item.size() == 1) one = item.get(0);
        else {
            int h = helper(owner);
            rules.get(h).add(item);
            one = Program.ref(h);
        }
        for (int i = 0; i < r.min(); i++) seq.add(one);
        if (r.max() < 0) {
            int star = helper(owner);
            rules.get(star).add(List.of(one, Program.ref(star)));
            rules.get(star).add(List.of());
            seq.add(Program.ref(star));
        } else if (r.max() > r.min()) {
            int inner = -1;
            for (int k = 0; k < r.max() - r.min(); k++) {  // opt_k ::= x opt_{k-1} | empty
                int opt = helper(owner);
                rules.get(opt).add(inner < 0 ? List.of(one) : List.of(one, Program.ref(inner)));
                rules.get(opt).add(List.of());
                inner = opt;
            }
            seq.add(Program.ref(inner));
        }
    }

    private void appendClass(Expr.CharClass c, List<Integer> seq, int owner) {
        int[] ranges = normalized(c);
        long[] ascii = new long[4];
        List<int[]> wide = new ArrayList<>();
        for (int i = 0; i < ranges.length; i += 2) {
            int lo = ranges[i], hi = ranges[i + 1];
            for (int b = lo; b <= Math.min(hi, 0x7F); b++) ascii[b >>> 6] |= 1L << b;
            if (hi > 0x7F) wide.addAll(Utf8Ranges.sequences(Math.max(lo, 0x80), hi));
        }
        boolean anyAscii = ascii[0] != 0 || ascii[1] != 0;
        if (wide.isEmpty()) {
            if (!anyAscii) throw new GrammarException("rule " + names.get(owner) + " has a character class that matches nothing");
            seq.add(set(ascii));
            return;
        }
        int h = helper(owner);
        if (anyAscii) rules.get(h).add(List.of(set(ascii)));
        for (int[] s : wide) {
            List<Integer> alt = new ArrayList<>();
            for (int i = 0; i < s.length; i += 2) alt.add(set(s[i], s[i + 1]));
            rules.get(h).add(alt);
        }
        seq.add(Program.ref(h));
    }

    // Sorted, merged code point ranges (the complement when negated).
    private static int[] normalized(Expr.CharClass c) {
        int[] r = c.ranges();
        int n = r.length / 2;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Integer.compare(r[2 * a], r[2 * b]));
        List<Integer> merged = new ArrayList<>();
        for (int i : order) {
            int lo = r[2 * i], hi = r[2 * i + 1], m = merged.size();
            if (m > 0 && lo <= merged.get(m - 1) + 1) merged.set(m - 1, Math.max(merged.get(m - 1), hi));
            else {
                merged.add(lo);
                merged.add(hi);
            }
        }
        if (!c.negated()) return merged.stream().mapToInt(Integer::intValue).toArray();
        List<Integer> out = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < merged.size(); i += 2) {
            if (merged.get(i) > next) {
                out.add(next);
                out.add(merged.get(i) - 1);
            }
            next = merged.get(i + 1) + 1;
        }
        if (next <= 0x10FFFF) {
            out.add(next);
            out.add(0x10FFFF);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private int set(int lo, int hi) {
        long[] s = new long[4];
        for (int b = lo; b <= hi; b++) s[b >>> 6] |= 1L << b;
        return set(s);
    }

    private int set(long[] s) {
        return setIds.computeIfAbsent(Arrays.toString(s), k -> {
            sets.add(s);
            return sets.size() - 1;
        });
    }

    private Program flatten(int root) {
        List<Integer> code = new ArrayList<>();
        int[][] starts = new int[rules.size()][];
        for (int r = 0; r < rules.size(); r++) {
            List<List<Integer>> alts = rules.get(r);
            starts[r] = new int[alts.size()];
            for (int a = 0; a < alts.size(); a++) {
                starts[r][a] = code.size();
                code.addAll(alts.get(a));
                code.add(Program.END);
            }
        }
        return new Program(code.stream().mapToInt(Integer::intValue).toArray(), sets.toArray(new long[0][]), starts,
                names.toArray(new String[0]), root);
    }
}
