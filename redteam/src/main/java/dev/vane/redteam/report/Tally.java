package dev.vane.redteam.report;

import dev.vane.redteam.score.Result;
import dev.vane.redteam.score.Verdict;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Verdict counts for a group of results. The failure rate is over the scored ones only
 * (fail / (pass + fail)): an unscored case is neither a pass nor a fail, and is counted apart.
 */
public record Tally(int pass, int fail, int unscored) {
    /** The group of probes without a hazard category. */
    public static final String NO_CATEGORY = "(no hazard category)";

    public int total() {
        return pass + fail + unscored;
    }

    public int scored() {
        return pass + fail;
    }

    /** fail / scored, or NaN when nothing was scored. */
    public double failureRate() {
        return scored() == 0 ? Double.NaN : (double) fail / scored();
    }

    /** How many of the group the guard's input detectors flagged (a finding in a user message). */
    public static int guardFlagged(List<Result> results) {
        int n = 0;
        for (Result r : results) if (!r.inputFindings().isEmpty()) n++;
        return n;
    }

    public static Tally of(List<Result> results) {
        int p = 0, f = 0, u = 0;
        for (Result r : results) {
            if (r.verdict() == Verdict.PASS) p++;
            else if (r.verdict() == Verdict.FAIL) f++;
            else u++;
        }
        return new Tally(p, f, u);
    }

    /** The results grouped by key, groups in the order their first result comes. */
    public static Map<String, List<Result>> groups(List<Result> results, Function<Result, String> key) {
        Map<String, List<Result>> out = new LinkedHashMap<>();
        for (Result r : results) out.computeIfAbsent(key.apply(r), k -> new java.util.ArrayList<>()).add(r);
        return out;
    }

    static String bySuite(Result r) {
        return r.kase().probe().suite();
    }

    static String byCategory(Result r) {
        return r.kase().probe().category().map(h -> h.code() + " " + h.title()).orElse(NO_CATEGORY);
    }

    static String byMutation(Result r) {
        return r.kase().mutation();
    }
}
