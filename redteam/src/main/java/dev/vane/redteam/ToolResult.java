package dev.vane.redteam;

import java.util.Objects;

/** A tool's output the conversation carries (a place an indirect injection hides): the tool's name and what it returned. */
public record ToolResult(String tool, String content) {
    public ToolResult {
        Objects.requireNonNull(tool, "tool must not be null");
        Objects.requireNonNull(content, "content must not be null");
    }
}
