package dev.vane.redteam.mutation;

import java.util.random.RandomGenerator;

/** The attack as the suite wrote it: the baseline the other mutations are compared with. */
public final class Identity implements Mutation {
    public static final String NAME = "none";

    @Override public String name() {
        return NAME;
    }

    @Override public Mutated apply(String attack, RandomGenerator g) {
        return new Mutated(attack, "");
    }
}
