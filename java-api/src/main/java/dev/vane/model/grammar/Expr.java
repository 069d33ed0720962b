package dev.vane.model.grammar;

import java.util.List;

/**
 * A grammar rule's right-hand side as written: literals and character classes over Unicode code
 * points, references to other rules, sequences, alternatives and bounded or unbounded repetition.
 * {@link GrammarCompiler} turns it into byte-level terminals.
 */
sealed interface Expr {
    /** The code points of a quoted literal, in order. */
    record Literal(int[] codePoints) implements Expr {}

    /** Code point ranges as pairs lo, hi (inclusive); negated matches every other code point ("." is negated and empty). */
    record CharClass(boolean negated, int[] ranges) implements Expr {}

    /** A reference to rule name, written at line:column. */
    record Ref(String name, int line, int column) implements Expr {}

    record Seq(List<Expr> items) implements Expr {}

    record Alt(List<Expr> options) implements Expr {}

    /** item at least min and at most max times (max -1: unbounded). */
    record Repeat(Expr item, int min, int max) implements Expr {}
}
