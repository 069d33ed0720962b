package dev.vane.redteam;

import dev.vane.guard.moderation.Moderator;
import dev.vane.redteam.mutation.Mutation;
import dev.vane.redteam.mutation.Mutations;
import dev.vane.redteam.score.Result;
import dev.vane.redteam.score.Scorer;
import dev.vane.redteam.targets.Decoding;
import dev.vane.redteam.targets.Reply;
import dev.vane.redteam.targets.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A red-team run: the probes' cases sampled from the seed ({@link CaseSampler}), each sent to the
 * target in order, one at a time, and scored ({@link Scorer}). With greedy decoding (or a target
 * that honours seeds) the same seed gives the same results.
 */
public final class RedTeam {
    /**
     * @param mutations         the mutations cases may use (names; see {@link Mutations#names()})
     * @param mutationsPerProbe how many besides "none" each probe runs under (-1: all it allows)
     */
    public record Options(long seed, List<String> mutations, int mutationsPerProbe, Decoding decoding) {
        public Options {
            mutations = List.copyOf(mutations);
            Mutations.named(mutations);
            if (mutationsPerProbe < -1) throw new IllegalArgumentException("mutations per probe must be >= 0, or -1 for all, got " + mutationsPerProbe);
            Objects.requireNonNull(decoding, "decoding must not be null");
        }

        public static Options defaults(long seed) {
            return new Options(seed, Mutations.names(), 2, Decoding.greedy(64));
        }
    }

    private RedTeam() {}

    /** The cases a run of these probes would send, without sending them. */
    public static List<Case> cases(List<Probe> probes, Options options) {
        List<Mutation> ms = Mutations.named(options.mutations());
        return CaseSampler.sample(probes, ms, options.mutationsPerProbe(), options.seed());
    }

    /** Runs every case; onResult sees each result as it is scored (for progress). */
    public static List<Result> run(List<Probe> probes, Target target, Optional<Moderator> moderator, Options options, Consumer<Result> onResult) {
        Scorer scorer = new Scorer(moderator);
        List<Result> out = new ArrayList<>();
        for (Case c : cases(probes, options)) {
            Reply reply = target.chat(c.messages(), options.decoding(), c.samplingSeed());
            Result r = scorer.score(c, reply, target);
            onResult.accept(r);
            out.add(r);
        }
        return List.copyOf(out);
    }
}
