package dev.vane.redteam.mutation;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A rewrite of a probe's attack text that tries to slip past a model's (or a guard's) refusals:
 * an encoding, a wrapper, a split, another language. Implementations are stateless; any choice
 * they make (which wrapper, where to split) comes from the case's generator, so a seed fixes it.
 */
public interface Mutation {
    /** The name suites and the command line use, e.g. "base64". */
    String name();

    /** The attack rewritten. */
    Mutated apply(String attack, RandomGenerator g);

    /**
     * Readings of a reply with the encoding this mutation asked the model to answer in undone
     * (the reply itself is always scored as well): none for mutations that ask for plain answers.
     */
    default List<View> decode(String reply) {
        return List.of();
    }

    /** A rewritten attack and which variant of the mutation made it ("" when it has only one). */
    record Mutated(String text, String variant) {}

    /** A reading of a reply: how it was read ("raw", "base64", ...) and the text. */
    record View(String name, String text) {}
}
