package dev.vane.model.chat;

import java.util.List;
import java.util.Objects;

/**
 * How a model family writes tool calls in its reply, to read them back ({@link #parse}) and to
 * describe the exact text of one call ({@link #shape}).
 *
 * <p>Malformed output: text that does not start a call in the family's syntax is the reply's
 * content (no calls). Text that does start one (a {@code <tool_call>}, {@code [TOOL_CALLS]},
 * {@code <|python_tag|>} or harmony {@code to=functions.} marker) but holds no valid call is
 * a {@link ToolCallParseException} saying what was wrong. Llama 3.1 has no marker before its JSON:
 * a reply that is not a JSON object with "name" and "parameters" (or "arguments") is content.
 */
public enum ToolCallFormat {
    /** No tool calls: the whole reply is content. */
    NONE(null),
    /** Llama 3.1/3.2/3.3: {"name": ..., "parameters": {...}}, optionally after &lt;|python_tag|&gt;, ended by &lt;|eom_id|&gt; or &lt;|eot_id|&gt;. */
    LLAMA3_JSON(new ToolCallShape("", "name", "parameters", "")),
    /** Hermes, Qwen2.5, Qwen3: &lt;tool_call&gt;\n{"name": ..., "arguments": {...}}\n&lt;/tool_call&gt;, one block a call. */
    HERMES(new ToolCallShape("<tool_call>\n", "name", "arguments", "\n</tool_call>")),
    /** Mistral: [TOOL_CALLS][{"name": ..., "arguments": {...}, "id": ...}, ...]. */
    MISTRAL(new ToolCallShape("[TOOL_CALLS][", "name", "arguments", "]")),
    /**
     * Mistral Small 3.2, Devstral, Ministral 3: [TOOL_CALLS]NAME[ARGS]{arguments} for each call,
     * optionally [TOOL_CALLS]NAME[CALL_ID]id[ARGS]{arguments}.
     */
    MISTRAL_ARGS(new ToolCallShape("[TOOL_CALLS]{name}[ARGS]", null, null, "")),
    /** gpt-oss harmony: &lt;|channel|&gt;commentary to=functions.NAME &lt;|constrain|&gt;json&lt;|message|&gt;{arguments}&lt;|call|&gt;. */
    HARMONY(new ToolCallShape("<|channel|>commentary to=functions.{name} <|constrain|>json<|message|>", null, null, "<|call|>"));

    private final ToolCallShape shape;

    ToolCallFormat(ToolCallShape shape) {
        this.shape = shape;
    }

    /**
     * The text one call of tool toolName is written in (harmony writes the name in the prefix).
     *
     * @throws UnsupportedOperationException for {@link #NONE}
     */
    public ToolCallShape shape(String toolName) {
        Objects.requireNonNull(toolName, "toolName must not be null");
        if (shape == null) throw new UnsupportedOperationException("this chat format has no tool-call syntax");
        return new ToolCallShape(shape.prefix().replace("{name}", toolName), shape.nameKey(), shape.argumentsKey(), shape.suffix());
    }

    /**
     * The reply's tool calls and the content around them (see the class comment on malformed text).
     *
     * @throws ToolCallParseException when a call is started but not valid
     */
    public ParsedReply parse(String reply) {
        Objects.requireNonNull(reply, "reply must not be null");
        return switch (this) {
            case NONE -> new ParsedReply(reply, List.of());
            case LLAMA3_JSON -> ToolCallParsers.llama3(reply);
            case HERMES -> ToolCallParsers.hermes(reply);
            case MISTRAL -> ToolCallParsers.mistral(reply);
            case MISTRAL_ARGS -> ToolCallParsers.mistralArgs(reply);
            case HARMONY -> ToolCallParsers.harmony(reply);
        };
    }
}
