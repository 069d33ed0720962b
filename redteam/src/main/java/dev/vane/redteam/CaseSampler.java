package dev.vane.redteam;

import dev.vane.redteam.mutation.Identity;
import dev.vane.redteam.mutation.Mutation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The probe × mutation matrix, sampled: every probe runs unmutated (when "none" is allowed) plus
 * {@code perProbe} other mutations drawn without replacement from those the run and the probe
 * allow, by a generator seeded from the run's seed and the probe's key (so one probe's draw does
 * not depend on the others). perProbe &lt; 0 takes them all.
 */
public final class CaseSampler {
    private CaseSampler() {}

    public static List<Case> sample(List<Probe> probes, List<Mutation> mutations, int perProbe, long seed) {
        if (mutations.isEmpty()) throw new IllegalArgumentException("no mutations to run; name at least one (e.g. none)");
        List<Case> out = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (Probe p : probes) {
            if (!keys.add(p.key())) throw new IllegalArgumentException("probe " + p.key() + " is given twice (the same suite loaded twice?)");
            List<Mutation> allowed = new ArrayList<>();
            for (Mutation m : mutations) if (p.mutations().isEmpty() || p.mutations().contains(m.name())) allowed.add(m);
            for (Mutation m : pick(allowed, perProbe, Seeds.generator(seed, p.key()))) out.add(CaseBuilder.build(out.size(), p, m, seed));
        }
        return List.copyOf(out);
    }

    // "none" first when allowed, then the drawn ones in the registry's order.
    private static List<Mutation> pick(List<Mutation> allowed, int perProbe, RandomGenerator g) {
        List<Mutation> others = new ArrayList<>();
        Mutation none = null;
        for (Mutation m : allowed) {
            if (m.name().equals(Identity.NAME)) none = m;
            else others.add(m);
        }
        int k = perProbe < 0 ? others.size() : Math.min(perProbe, others.size());
        // A partial Fisher-Yates shuffle over indexes: the first k are the draw.
        int[] idx = new int[others.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        for (int i = 0; i < k; i++) {
            int j = i + g.nextInt(idx.length - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int[] chosen = Arrays.copyOf(idx, k);
        Arrays.sort(chosen);
        List<Mutation> out = new ArrayList<>();
        if (none != null) out.add(none);
        for (int i : chosen) out.add(others.get(i));
        return out;
    }
}
