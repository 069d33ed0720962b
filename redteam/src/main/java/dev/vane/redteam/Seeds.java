package dev.vane.redteam;

import java.nio.charset.StandardCharsets;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * The run's randomness: every draw comes from an L64X128MixRandom (an algorithm the JDK specifies,
 * so the same seed gives the same numbers on every JDK) seeded from the run's seed and a name, so
 * that one case's draws do not depend on which other cases run.
 */
public final class Seeds {
    private static final RandomGeneratorFactory<RandomGenerator> ALGORITHM = RandomGeneratorFactory.of("L64X128MixRandom");

    private Seeds() {}

    /** A generator for the named part of the run (e.g. a probe's key, or a case's "key|mutation"). */
    public static RandomGenerator generator(long seed, String name) {
        return ALGORITHM.create(derive(seed, name));
    }

    /** A 64-bit seed for name under the run's seed: FNV-1a of the name's UTF-8, mixed with the seed by SplitMix64's finalizer. */
    public static long derive(long seed, String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        long z = seed ^ h;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
