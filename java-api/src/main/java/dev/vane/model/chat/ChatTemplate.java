package dev.vane.model.chat;

import dev.vane.model.gguf.GgufFile;
import dev.vane.model.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The common chat formats, rendered exactly as llama.cpp's built-in (non-Jinja) templates render
 * them, under llama.cpp's names. A model file carries its format as a Jinja template
 * (tokenizer.chat_template); Vane does not run Jinja but recognises the family from marker
 * substrings, as llama.cpp does without --jinja.
 *
 * <p>The rendered text holds special tokens as text (e.g. "<|eot_id|>") and no BOS: encode it
 * with the BOS added and special tokens parsed.
 */
public enum ChatTemplate implements ChatFormat {
    /** Llama 3: <|start_header_id|>role<|end_header_id|>, contents trimmed, <|eot_id|> after each. */
    LLAMA3("llama3", "<|eot_id|>"),
    /** Llama 2 without <<SYS>>: a system message is a plain line before the first user message. */
    LLAMA2("llama2", "</s>"),
    /** Llama 2 with the system message in <<SYS>> ... <</SYS>>. */
    LLAMA2_SYS("llama2-sys", "</s>"),
    /** As LLAMA2_SYS, with "<s>" before every [INST] after the first. */
    LLAMA2_SYS_BOS("llama2-sys-bos", "</s>"),
    /** As LLAMA2_SYS, with every content trimmed (Meta's official template). */
    LLAMA2_SYS_STRIP("llama2-sys-strip", "</s>"),
    /** Mistral v1: " [INST] user [/INST] answer</s>", system text inside the next [INST]. */
    MISTRAL_V1("mistral-v1", "</s>"),
    /** Mistral v3: "[INST] user[/INST] answer</s>", answers trimmed. */
    MISTRAL_V3("mistral-v3", "</s>"),
    /** Mistral v3 Tekken: "[INST]user[/INST]answer</s>". */
    MISTRAL_V3_TEKKEN("mistral-v3-tekken", "</s>"),
    /** Mistral v7: system prompts in [SYSTEM_PROMPT] ... [/SYSTEM_PROMPT]. */
    MISTRAL_V7("mistral-v7", "</s>"),
    /** ChatML: <|im_start|>role\n ... <|im_end|>\n (Qwen2, Qwen2.5, Qwen3, Hermes, and llama.cpp's default). */
    CHATML("chatml", "<|im_end|>"),
    /** Zephyr: <|role|>\n ... <|endoftext|>\n. */
    ZEPHYR("zephyr", "<|endoftext|>"),
    /**
     * Gemma (Gemma 2, Gemma 3): <start_of_turn>user|model ... <end_of_turn>\n; Gemma has no system
     * role, so system text (trimmed) opens the next user turn, followed by a blank line, as Gemma's
     * own template does; contents trimmed.
     */
    GEMMA("gemma", "<end_of_turn>"),
    /** Phi-3: <|role|>\n ... <|end|>\n, the reply opened by <|assistant|>\n. */
    PHI3("phi3", "<|end|>"),
    /**
     * gpt-oss's harmony format as llama.cpp's built-in "gpt-oss" renders it:
     * <|start|>role<|message|>content<|end|>, an assistant message closed by <|return|>, the reply
     * opened by <|start|>assistant (the model then writes its channel: "<|channel|>analysis
     * <|message|>..." and "<|channel|>final<|message|>..."). Generation ends at <|return|> (the
     * answer is complete) or <|call|> (a tool call); <|end|> only closes a message, after which
     * the model goes on. Unlike gpt-oss's Jinja template it writes no system header (model identity,
     * date, reasoning effort) and no developer message; a system message is a message of role system.
     */
    GPT_OSS("gpt-oss", "<|return|>", "<|call|>");

    private final String llamaCppName;
    private final List<String> stopTokens;

    ChatTemplate(String llamaCppName, String... stopTokens) {
        this.llamaCppName = llamaCppName;
        this.stopTokens = List.of(stopTokens);
    }

    /**
     * The texts of the tokens that end the assistant's turn in this format (e.g. "<|im_end|>" for
     * ChatML, "<end_of_turn>" for Gemma, "<|end|>" for Phi-3, "<|return|>" and "<|call|>" for
     * gpt-oss). llama.cpp ends generation at each of them (its end-of-generation tokens, see
     * {@link Tokenizer#isEndOfGeneration}); they are listed so that a caller can stop on them too.
     */
    @Override
    public List<String> stopTokens() {
        return stopTokens;
    }

    /**
     * The ids of {@link #stopTokens()} in a vocabulary (each a single token when special tokens are
     * parsed); a stop token the vocabulary lacks is left out.
     */
    public int[] stopTokenIds(Tokenizer tokenizer) {
        Objects.requireNonNull(tokenizer, "tokenizer must not be null");
        return stopTokens.stream().map(s -> tokenizer.encode(s, false, true)).filter(ids -> ids.length == 1).mapToInt(ids -> ids[0]).toArray();
    }

    @Override
    public String formatName() {
        return llamaCppName;
    }

    /**
     * The prompt as {@link #render(List, boolean)} writes it, its message contents marked (see
     * {@link ChatPrompt#render(List, java.util.function.Function)}). The built-in formats render no tools and no tool messages, as
     * llama.cpp's built-in templates do not: use the model's own template (module vane-jinja).
     *
     * @throws IllegalArgumentException when tools are given or a message carries tool data
     */
    @Override
    public ChatPrompt render(List<ChatMessage> messages, List<ToolSpec> tools, boolean addGenerationPrompt) {
        Objects.requireNonNull(tools, "tools must not be null (pass List.of() for none)");
        if (!tools.isEmpty()) {
            throw new IllegalArgumentException("the built-in chat format " + llamaCppName + " renders no tools; render the model's own template"
                    + " (put vane-jinja on the class path) to offer tools");
        }
        return ChatPrompt.render(messages, m -> render(m, addGenerationPrompt));
    }

    /** The syntax this family's models write tool calls in. */
    @Override
    public ToolCallFormat toolCallFormat() {
        return switch (this) {
            case LLAMA3 -> ToolCallFormat.LLAMA3_JSON;
            case CHATML -> ToolCallFormat.HERMES;
            case MISTRAL_V1, MISTRAL_V3, MISTRAL_V3_TEKKEN, MISTRAL_V7 -> ToolCallFormat.MISTRAL;
            case GPT_OSS -> ToolCallFormat.HARMONY;
            default -> ToolCallFormat.NONE;
        };
    }

    /** The name llama.cpp gives this template (its --chat-template value). */
    public String llamaCppName() {
        return llamaCppName;
    }

    /**
     * The prompt for a conversation. addAssistantPrompt appends the header that opens the
     * assistant's reply; the Llama 2 and Mistral formats have none (the prompt already ends in
     * [/INST]) and ignore it, as llama.cpp does.
     */
    public String render(List<ChatMessage> messages, boolean addAssistantPrompt) {
        Objects.requireNonNull(messages, "messages must not be null");
        if (messages.isEmpty()) throw new IllegalArgumentException("a chat needs at least one message, got none");
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i) == null) throw new IllegalArgumentException("message " + i + " is null");
            if (messages.get(i).hasToolData()) {
                throw new IllegalArgumentException("message " + i + " is a tool call or tool result, which the built-in chat format " + llamaCppName
                        + " does not render; render the model's own template (put vane-jinja on the class path)");
            }
        }
        return switch (this) {
            case LLAMA3 -> Formats.llama3(messages, addAssistantPrompt);
            case LLAMA2 -> Formats.llama2(messages, false, false, false);
            case LLAMA2_SYS -> Formats.llama2(messages, true, false, false);
            case LLAMA2_SYS_BOS -> Formats.llama2(messages, true, true, false);
            case LLAMA2_SYS_STRIP -> Formats.llama2(messages, true, false, true);
            case MISTRAL_V1 -> Formats.mistral(messages, " ", " ", false);
            case MISTRAL_V3 -> Formats.mistral(messages, "", " ", true);
            case MISTRAL_V3_TEKKEN -> Formats.mistral(messages, "", "", false);
            case MISTRAL_V7 -> Formats.mistralV7(messages);
            case CHATML -> Formats.chatml(messages, addAssistantPrompt);
            case ZEPHYR -> Formats.zephyr(messages, addAssistantPrompt);
            case GEMMA -> Formats.gemma(messages, addAssistantPrompt);
            case PHI3 -> Formats.phi3(messages, addAssistantPrompt);
            case GPT_OSS -> Formats.gptOss(messages, addAssistantPrompt);
        };
    }

    /** The template llama.cpp calls name (e.g. "llama3", "chatml", "mistral-v7"). */
    public static ChatTemplate named(String name) {
        Objects.requireNonNull(name, "name must not be null");
        for (ChatTemplate t : values()) if (t.llamaCppName.equals(name)) return t;
        throw new IllegalArgumentException("unknown chat template '" + name + "'; expected one of " + names());
    }

    /**
     * The template a model's Jinja chat template stands for, recognised by llama.cpp's markers
     * (e.g. <|start_header_id|> for Llama 3, <|im_start|> for ChatML, [INST] for Llama 2 and
     * Mistral). A built-in name is accepted too.
     *
     * @throws IllegalArgumentException when no marker matches, or the markers are those of a
     *     family llama.cpp knows but Vane does not render (e.g. Phi 4); the message says which
     */
    public static ChatTemplate detect(String jinjaTemplate) {
        Objects.requireNonNull(jinjaTemplate, "jinjaTemplate must not be null");
        String name = TemplateDetection.llamaCppName(jinjaTemplate);
        if (name == null) {
            throw new IllegalArgumentException("chat template not recognised: it has none of the markers of llama.cpp's built-in templates"
                    + " (Vane renders " + names() + "); template starts: " + excerpt(jinjaTemplate));
        }
        for (ChatTemplate t : values()) if (t.llamaCppName.equals(name)) return t;
        throw new IllegalArgumentException("chat template is llama.cpp's '" + name + "' format, which Vane does not render (it renders "
                + names() + ")");
    }

    /**
     * The template of a model file (its tokenizer.chat_template), or empty when the file has
     * none or its format is not one Vane renders. To learn why a template was not recognised,
     * pass its text to {@link #detect}. llama.cpp falls back to ChatML in both cases.
     */
    public static Optional<ChatTemplate> fromGguf(GgufFile file) {
        Objects.requireNonNull(file, "file must not be null");
        if (!file.metadata().containsKey("tokenizer.chat_template")) return Optional.empty();
        String name = TemplateDetection.llamaCppName(file.string("tokenizer.chat_template"));
        for (ChatTemplate t : values()) if (t.llamaCppName.equals(name)) return Optional.of(t);
        return Optional.empty();
    }

    private static String names() {
        return Arrays.stream(values()).map(t -> t.llamaCppName).collect(Collectors.joining(", "));
    }

    private static String excerpt(String s) {
        String oneLine = s.replace("\n", "\\n");
        return oneLine.length() <= 80 ? "'" + oneLine + "'" : "'" + oneLine.substring(0, 80) + "...'";
    }
}
