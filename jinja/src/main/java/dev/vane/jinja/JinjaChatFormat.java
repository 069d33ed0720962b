package dev.vane.jinja;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import dev.vane.model.chat.ChatFormat;
import dev.vane.model.chat.ChatFormatProvider.SpecialTokenTexts;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatPrompt;
import dev.vane.model.chat.ChatTemplate;
import dev.vane.model.chat.ToolCallFormat;
import dev.vane.model.chat.ToolSpec;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model's own Jinja chat template, rendered with jinjava as Hugging Face's apply_chat_template
 * and llama.cpp (--jinja) render it: the variables messages, tools (when given),
 * add_generation_prompt, bos_token and eos_token, and the functions raise_exception and
 * strftime_now (by the system clock, as in Python, or by a given clock). The contents of the
 * messages are then located in the text (see {@link ChatPrompt#render(List, java.util.function.Function)})
 * so that they are tokenized without special tokens.
 */
public final class JinjaChatFormat implements ChatFormat {
    private static final Jinjava JINJAVA = JinjaEngine.create();

    private final String source;
    private final SpecialTokenTexts tokens;
    private final ToolCallFormat toolCallFormat;
    private final List<String> stopTokens;
    private final JinjavaConfig config;

    public JinjaChatFormat(String source, SpecialTokenTexts tokens) {
        this(source, tokens, JINJAVA.getGlobalConfig());
    }

    /** With clock as the time strftime_now reads (e.g. a fixed one, so a prompt's date does not change). */
    public JinjaChatFormat(String source, SpecialTokenTexts tokens, Clock clock) {
        this(source, tokens, JinjaEngine.config(Objects.requireNonNull(clock, "clock must not be null")));
    }

    private JinjaChatFormat(String source, SpecialTokenTexts tokens, JinjavaConfig config) {
        Objects.requireNonNull(source, "source must not be null");
        this.config = config;
        this.tokens = Objects.requireNonNull(tokens, "tokens must not be null");
        // Jinja drops one newline at the end of a template (keep_trailing_newline=False), as llama.cpp's minja does.
        this.source = TemplateSource.rewrite(source.endsWith("\n") ? source.substring(0, source.length() - 1) : source);
        this.toolCallFormat = toolCallFormatOf(source);
        this.stopTokens = stopTokensOf(source, tokens);
    }

    @Override
    public String formatName() {
        return "jinja";
    }

    /** The rendered text alone (what llama.cpp's applyTemplate returns). */
    public String renderText(List<ChatMessage> messages, List<ToolSpec> tools, boolean addGenerationPrompt) {
        Objects.requireNonNull(messages, "messages must not be null");
        Objects.requireNonNull(tools, "tools must not be null (pass List.of() for none)");
        if (messages.isEmpty()) throw new IllegalArgumentException("a chat needs at least one message, got none");
        if (!supportsSystemRole()) messages = SystemMessages.mergedIntoNextUser(messages);
        return renderRaw(messages, tools, addGenerationPrompt);
    }

    private String renderRaw(List<ChatMessage> messages, List<ToolSpec> tools, boolean addGenerationPrompt) {
        Map<String, Object> vars = new HashMap<>();
        vars.put("messages", TemplateVariables.messages(messages));
        if (!tools.isEmpty()) vars.put("tools", TemplateVariables.tools(tools));
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("bos_token", tokens.bos());
        vars.put("eos_token", tokens.eos());
        RenderResult r = JINJAVA.renderForResult(source, vars, config);
        for (TemplateError e : r.getErrors()) {
            Throwable cause = e.getException();
            while (cause != null && !(cause instanceof TemplateRaisedException)) cause = cause.getCause();
            if (cause != null) throw new TemplateRenderException("the chat template refused the conversation: " + cause.getMessage(), cause);
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new TemplateRenderException("the chat template failed at line " + e.getLineno() + ": " + e.getMessage(), e.getException());
            }
        }
        String out = r.getOutput();
        // As llama.cpp: a leading BOS and a trailing EOS are taken out of the text (the tokenizer adds them), so they are not there twice.
        if (!tokens.bos().isEmpty() && out.startsWith(tokens.bos())) out = out.substring(tokens.bos().length());
        if (!tokens.eos().isEmpty() && out.endsWith(tokens.eos())) out = out.substring(0, out.length() - tokens.eos().length());
        return out;
    }

    private volatile Boolean supportsSystemRole;

    /**
     * Whether the template renders a system message itself (its text shows in the output); llama.cpp
     * probes this too and, where not (e.g. gemma-7b-it, Mistral Instruct v0.1 raise on it), merges
     * system messages into the next user message, as done here.
     */
    boolean supportsSystemRole() {
        Boolean b = supportsSystemRole;
        if (b == null) {
            String marker = "\uE002system\uE003";
            try {
                supportsSystemRole = b = renderRaw(List.of(ChatMessage.system(marker), ChatMessage.user("u")), List.of(), false).contains(marker);
            } catch (RuntimeException e) {
                supportsSystemRole = b = false;
            }
        }
        return b;
    }

    @Override
    public ChatPrompt render(List<ChatMessage> messages, List<ToolSpec> tools, boolean addGenerationPrompt) {
        return ChatPrompt.render(messages, m -> renderText(m, tools, addGenerationPrompt));
    }

    @Override
    public ToolCallFormat toolCallFormat() {
        return toolCallFormat;
    }

    @Override
    public List<String> stopTokens() {
        return stopTokens;
    }

    // The family's tool-call syntax, by the markers its template writes.
    static ToolCallFormat toolCallFormatOf(String t) {
        if (t.contains("<tool_call>")) return ToolCallFormat.HERMES;
        // Mistral Small 3.2, Devstral and Ministral 3 write NAME[ARGS]{...} after the marker; Nemo a JSON array.
        if (t.contains("[TOOL_CALLS]")) return t.contains("[ARGS]") ? ToolCallFormat.MISTRAL_ARGS : ToolCallFormat.MISTRAL;
        // gpt-oss's template writes a call's header in two strings ("to=" then "functions." + name).
        if (t.contains("<|channel|>") && (t.contains("to=functions.") || t.contains("to=") && t.contains("\"functions.\""))) return ToolCallFormat.HARMONY;
        if (t.contains("<|start_header_id|>") && (t.contains("\"parameters\"") || t.contains("<|python_tag|>"))) return ToolCallFormat.LLAMA3_JSON;
        return ToolCallFormat.NONE;
    }

    // The built-in family's stop tokens when the markers name one, else the EOS.
    private static List<String> stopTokensOf(String source, SpecialTokenTexts tokens) {
        try {
            return ChatTemplate.detect(source).stopTokens();
        } catch (IllegalArgumentException e) {
            return tokens.eos().isEmpty() ? List.of() : List.of(tokens.eos());
        }
    }
}
