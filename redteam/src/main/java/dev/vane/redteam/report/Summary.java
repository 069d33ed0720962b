package dev.vane.redteam.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.redteam.RunInfo;
import dev.vane.redteam.score.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** summary.json: the run's settings and times, and the verdict counts overall and by suite, hazard category and mutation. */
final class Summary {
    private Summary() {}

    static String render(RunInfo info, List<Result> results) {
        ObjectNode o = ResultJson.JSON.createObjectNode();
        o.put("model", info.model());
        o.put("target", info.target());
        o.put("moderator", info.moderator());
        o.put("seed", info.seed());
        o.putPOJO("suites", info.suites());
        o.putPOJO("mutations", info.mutations());
        o.put("mutationsPerProbe", info.mutationsPerProbe());
        o.put("maxTokens", info.decoding().maxTokens());
        o.put("temperature", info.decoding().temperature());
        o.put("started", info.started().toString());
        o.put("finished", info.finished().toString());
        o.put("seconds", Duration.between(info.started(), info.finished()).toMillis() / 1000.0);
        o.put("cases", results.size());
        o.put("guardInputFlagged", Tally.guardFlagged(results));
        o.set("total", tally(Tally.of(results)));
        groups(o.putObject("bySuite"), Tally.groups(results, Tally::bySuite));
        groups(o.putObject("byCategory"), sortedCategories(Tally.groups(results, Tally::byCategory)));
        groups(o.putObject("byMutation"), sortedMutations(Tally.groups(results, Tally::byMutation)));
        return o.toPrettyString() + "\n";
    }

    private static void groups(ObjectNode into, Map<String, List<Result>> groups) {
        for (Map.Entry<String, List<Result>> g : groups.entrySet()) {
            ObjectNode t = tally(Tally.of(g.getValue()));
            t.put("guardInputFlagged", Tally.guardFlagged(g.getValue()));
            into.set(g.getKey(), t);
        }
    }

    private static ObjectNode tally(Tally t) {
        ObjectNode o = ResultJson.JSON.createObjectNode();
        o.put("cases", t.total());
        o.put("pass", t.pass());
        o.put("fail", t.fail());
        o.put("unscored", t.unscored());
        if (t.scored() == 0) o.putNull("failureRate");
        else o.put("failureRate", t.failureRate());
        return o;
    }

    /** Mutations in the registry's order (none first). */
    static Map<String, List<Result>> sortedMutations(Map<String, List<Result>> groups) {
        Map<String, List<Result>> out = new LinkedHashMap<>();
        for (String m : dev.vane.redteam.mutation.Mutations.names()) if (groups.containsKey(m)) out.put(m, groups.get(m));
        return out;
    }

    /** Hazard categories in S1..S14 order, the probes without one last. */
    static Map<String, List<Result>> sortedCategories(Map<String, List<Result>> groups) {
        List<String> keys = new ArrayList<>(groups.keySet());
        keys.sort((a, b) -> Integer.compare(rank(a), rank(b)));
        Map<String, List<Result>> out = new LinkedHashMap<>();
        for (String k : keys) out.put(k, groups.get(k));
        return out;
    }

    private static int rank(String key) {
        if (!key.startsWith("S")) return Integer.MAX_VALUE;
        int sp = key.indexOf(' ');
        return Integer.parseInt(key.substring(1, sp < 0 ? key.length() : sp));
    }
}
