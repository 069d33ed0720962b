package dev.vane.model.grammar;

import java.util.Collection;

/**
 * The byte-level steps of a {@link Program}: a continuation (a position, then the rest) expanded
 * into stacks whose top is a byte set, by entering referenced rules' alternatives and popping
 * ended ones; and a stack advanced by one byte. A reference at the end of an alternative pushes
 * nothing for it (tail call), so right recursion (x*) does not grow the stack.
 */
final class Expansion {
    private Expansion() {}

    /** Adds to out the stacks that match from pos, then rest (null: nothing after). */
    static void expand(Program p, int pos, ParseStack rest, Collection<ParseStack> out) {
        int e = p.code[pos];
        if (e == Program.END) {
            if (rest == null) out.add(ParseStack.COMPLETE);
            else expand(p, rest.pos, rest.next, out);
        } else if (Program.isRef(e)) {
            ParseStack after = p.code[pos + 1] == Program.END ? rest : new ParseStack(pos + 1, rest);
            for (int start : p.alternatives[Program.ruleOf(e)]) expand(p, start, after, out);
        } else {
            out.add(new ParseStack(pos, rest));
        }
    }

    /** Adds to out the stacks after s matches byte b (none if its top does not accept b). */
    static void advance(Program p, ParseStack s, int b, Collection<ParseStack> out) {
        if (s == ParseStack.COMPLETE || !p.accepts(p.code[s.pos], b)) return;
        expand(p, s.pos + 1, s.next, out);
    }
}
