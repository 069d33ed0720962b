package dev.vane.guard;

import dev.vane.model.chat.ChatFormatProvider.SpecialTokenTexts;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The text of control tokens in user content ("<|eot_id|>", "<|im_start|>", "[INST]",
 * "<start_of_turn>"...), which a template would turn into real turn boundaries. Matched exactly, as a
 * tokenizer matches them (a fullwidth or spaced variant is not a special token, so it is not flagged).
 * The set is a model's own texts plus, unless left out, {@link #BUILT_IN}.
 */
public final class SpecialTokenDetector implements Detector {
    /** Control-token texts of common model families. */
    public static final List<String> BUILT_IN = List.of(
            // Llama 3
            "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<|eom_id|>", "<|python_tag|>",
            // ChatML (Qwen, many fine-tunes), GPT-2 family
            "<|im_start|>", "<|im_end|>", "<|endoftext|>",
            // Llama 2, Mistral
            "[INST]", "[/INST]", "<<SYS>>", "<</SYS>>", "<s>", "</s>", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]", "[TOOL_CALLS]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]",
            // Gemma
            "<start_of_turn>", "<end_of_turn>", "<bos>", "<eos>",
            // Phi-3
            "<|system|>", "<|user|>", "<|assistant|>", "<|end|>",
            // DeepSeek (fullwidth bars and U+2581, as in its vocabulary)
            "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<｜User｜>", "<｜Assistant｜>",
            // gpt-oss (harmony)
            "<|start|>", "<|message|>", "<|channel|>", "<|return|>", "<|call|>",
            // Granite, Command R
            "<|start_of_role|>", "<|end_of_role|>", "<|START_OF_TURN_TOKEN|>", "<|END_OF_TURN_TOKEN|>");

    private final List<String> tokens;
    private final int maxLength;

    /**
     * @param tokens  a model's special-token texts (may be empty; blanks are skipped)
     * @param builtIn whether {@link #BUILT_IN} joins them
     */
    public SpecialTokenDetector(Collection<String> tokens, boolean builtIn) {
        if (tokens == null) throw new IllegalArgumentException("tokens must not be null (pass an empty list for none)");
        Set<String> all = new LinkedHashSet<>();
        if (builtIn) all.addAll(BUILT_IN);
        for (String t : tokens) {
            if (t == null) throw new IllegalArgumentException("special-token texts must not hold null");
            if (!t.isBlank()) all.add(t);
        }
        if (all.isEmpty()) throw new IllegalArgumentException("a special-token detector needs at least one token text");
        this.tokens = List.copyOf(all);
        this.maxLength = this.tokens.stream().mapToInt(String::length).max().orElseThrow();
    }

    /** The built-in families only. */
    public SpecialTokenDetector() {
        this(List.of(), true);
    }

    /** A model's BOS and EOS texts ({@code model.specialTokenTexts()}) and the built-in families. */
    public static SpecialTokenDetector forModel(SpecialTokenTexts texts) {
        return new SpecialTokenDetector(List.of(texts.bos(), texts.eos()), true);
    }

    public List<String> tokens() {
        return tokens;
    }

    @Override public String name() {
        return "special-tokens";
    }

    @Override public int maxLength() {
        return maxLength;
    }

    @Override public List<Match> find(CharSequence text, int from) {
        List<Match> out = new ArrayList<>();
        for (int s = from; s < text.length(); s++) {
            for (String t : tokens) if (startsWith(text, s, t, t.length())) out.add(new Match(s, s + t.length(), "SPECIAL_TOKEN"));
        }
        return out;
    }

    // Where the text ends in a proper prefix of a token, that token could still be completed.
    @Override public int holdFrom(CharSequence text, int from) {
        int len = text.length();
        for (int s = Math.max(from, len - maxLength + 1); s < len; s++) {
            for (String t : tokens) if (t.length() > len - s && startsWith(text, s, t, len - s)) return s;
        }
        return len;
    }

    private static boolean startsWith(CharSequence text, int s, String t, int n) {
        if (s + n > text.length()) return false;
        for (int i = 0; i < n; i++) if (text.charAt(s + i) != t.charAt(i)) return false;
        return true;
    }
}
