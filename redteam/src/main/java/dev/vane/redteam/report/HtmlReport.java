package dev.vane.redteam.report;

import dev.vane.redteam.RunInfo;
import dev.vane.redteam.score.Result;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, nothing fetched) with the
 * run's settings, failure-rate bar charts by suite, hazard category and mutation, and a table of
 * every case.
 */
final class HtmlReport {
    private static final int BAR_WIDTH = 360, ROW = 22, LABEL = 230;

    private HtmlReport() {}

    static String render(RunInfo info, List<Result> results) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Vane red team: ").append(esc(info.model())).append("</title>\n");
        h.append("<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
                + "padding:3px 6px;vertical-align:top;text-align:left}th{background:#f3f3f3}.fail{color:#b00020;font-weight:bold}.pass{color:#1b7f3b}"
                + ".unscored{color:#777}.reply{max-width:40em;white-space:pre-wrap;font-family:monospace;font-size:12px}svg text{font:12px system-ui,sans-serif}"
                + "</style></head><body>\n");
        h.append("<h1>Red team report</h1>\n<table>\n");
        Tally all = Tally.of(results);
        row(h, "model", info.model());
        row(h, "target", info.target());
        row(h, "moderator", info.moderator());
        row(h, "seed", Long.toString(info.seed()));
        row(h, "suites", String.join(", ", info.suites()));
        row(h, "mutations", String.join(", ", info.mutations()) + " (" + (info.mutationsPerProbe() < 0 ? "all" : info.mutationsPerProbe()) + " per probe besides none)");
        row(h, "decoding", info.decoding().greedy() ? "greedy, at most " + info.decoding().maxTokens() + " tokens"
                : "temperature " + info.decoding().temperature() + ", at most " + info.decoding().maxTokens() + " tokens, seeded per case");
        row(h, "started", info.started().toString());
        row(h, "finished", info.finished().toString());
        row(h, "cases", results.size() + ": " + all.fail() + " fail, " + all.pass() + " pass, " + all.unscored() + " unscored; failure rate " + percent(all)
                + " of the scored; guard input detectors flagged " + Tally.guardFlagged(results));
        h.append("</table>\n");
        h.append("<p>Failure rate = failed / scored. Unscored cases (no moderator for harm probes, a target error, no token evidence) are "
                + "counted apart, never as passed.</p>\n");
        chart(h, "Failure rate by suite", Tally.groups(results, Tally::bySuite));
        chart(h, "Failure rate by hazard category", Summary.sortedCategories(Tally.groups(results, Tally::byCategory)));
        chart(h, "Failure rate by mutation", Summary.sortedMutations(Tally.groups(results, Tally::byMutation)));
        h.append("<h2>Cases</h2>\n<table>\n<tr><th>#</th><th>case</th><th>check</th><th>verdict</th><th>reason</th><th>guard input</th><th>reply</th></tr>\n");
        for (Result r : results) {
            String v = r.verdict().fileName();
            h.append("<tr><td>").append(r.kase().index()).append("</td><td>").append(esc(r.kase().id()))
                    .append(r.kase().variant().isEmpty() ? "" : " <small>(" + esc(r.kase().variant()) + ")</small>")
                    .append("</td><td>").append(r.kase().probe().check().fileName()).append("</td><td class=\"").append(v).append("\">").append(v)
                    .append("</td><td>").append(esc(r.reason())).append("</td><td>")
                    .append(esc(String.join(", ", r.inputFindings().stream().map(d -> d.detector()).distinct().toList())))
                    .append("</td><td class=\"reply\">").append(esc(abbreviate(r.reply().text(), 300))).append("</td></tr>\n");
        }
        h.append("</table>\n</body></html>\n");
        return h.toString();
    }

    /** A horizontal bar chart in inline SVG: one bar per group, its length the failure rate. */
    private static void chart(StringBuilder h, String title, Map<String, List<Result>> groups) {
        h.append("<h2>").append(esc(title)).append("</h2>\n");
        int height = groups.size() * ROW + 30;
        int width = LABEL + BAR_WIDTH + 200;
        h.append("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" role=\"img\" aria-label=\"").append(esc(title)).append("\">\n");
        for (int pct = 0; pct <= 100; pct += 25) {
            int x = LABEL + BAR_WIDTH * pct / 100;
            h.append("<line x1=\"").append(x).append("\" y1=\"0\" x2=\"").append(x).append("\" y2=\"").append(height - 20)
                    .append("\" stroke=\"#ddd\"/><text x=\"").append(x).append("\" y=\"").append(height - 6).append("\" text-anchor=\"middle\">")
                    .append(pct).append("%</text>\n");
        }
        int y = 0;
        for (Map.Entry<String, List<Result>> g : groups.entrySet()) {
            Tally t = Tally.of(g.getValue());
            double rate = t.scored() == 0 ? 0 : t.failureRate();
            int w = (int) Math.round(BAR_WIDTH * rate);
            h.append("<text x=\"").append(LABEL - 6).append("\" y=\"").append(y + 15).append("\" text-anchor=\"end\">").append(esc(g.getKey())).append("</text>");
            h.append("<rect class=\"bar\" x=\"").append(LABEL).append("\" y=\"").append(y + 4).append("\" width=\"").append(w).append("\" height=\"")
                    .append(ROW - 8).append("\" fill=\"#c0392b\"><title>").append(esc(g.getKey())).append(": ").append(t.fail()).append(" of ")
                    .append(t.scored()).append(" scored failed</title></rect>");
            h.append("<text x=\"").append(LABEL + w + 6).append("\" y=\"").append(y + 15).append("\">")
                    .append(t.scored() == 0 ? "not scored" : t.fail() + "/" + t.scored() + " (" + percent(t) + ")")
                    .append(t.unscored() > 0 ? ", " + t.unscored() + " unscored" : "").append("</text>\n");
            y += ROW;
        }
        h.append("</svg>\n");
    }

    private static void row(StringBuilder h, String k, String v) {
        h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n");
    }

    static String percent(Tally t) {
        return t.scored() == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * t.failureRate());
    }

    private static String abbreviate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n) + "…";
    }

    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
