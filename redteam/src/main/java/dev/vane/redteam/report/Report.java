package dev.vane.redteam.report;

import dev.vane.redteam.RunInfo;
import dev.vane.redteam.score.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes a run's report into a directory: results.jsonl, summary.json and report.html (replacing earlier ones). */
public final class Report {
    public static final String RESULTS = "results.jsonl", SUMMARY = "summary.json", HTML = "report.html";

    private Report() {}

    public static void write(Path dir, RunInfo info, List<Result> results) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(RESULTS), jsonl(results), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(SUMMARY), Summary.render(info, results), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(HTML), HtmlReport.render(info, results), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report into " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The results as JSON lines, one per case, in case order. */
    public static String jsonl(List<Result> results) {
        StringBuilder s = new StringBuilder();
        for (Result r : results) s.append(ResultJson.line(r)).append('\n');
        return s.toString();
    }
}
