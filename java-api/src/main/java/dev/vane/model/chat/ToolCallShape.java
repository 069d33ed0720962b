package dev.vane.model.chat;

/**
 * The exact text one tool call is written in, for code that makes a model write a call (e.g. a
 * grammar that forces one): {@code prefix}, then a JSON object, then {@code suffix}. When
 * {@code nameKey} is null the object is the arguments alone (the name is in the prefix, as in
 * gpt-oss's harmony); otherwise it is {nameKey: the tool's name, argumentsKey: the arguments object}.
 */
public record ToolCallShape(String prefix, String nameKey, String argumentsKey, String suffix) {}
