package dev.vane.guard.moderation;

import dev.vane.model.chat.ChatPrompt;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Llama Guard 3's prompt, as the models' own chat templates (their tokenizer_config.json, which
 * GGUF conversions carry as tokenizer.chat_template) write it: inside Llama 3's header tokens, the
 * task line naming the role judged ('User' or 'Agent', the last turn's), the unsafe-content
 * categories one a line ("S1: Violent Crimes."), the conversation ("User: ..." / "Agent: ..."
 * turns, each stripped of surrounding whitespace, followed by a blank line) and the instruction to
 * answer 'safe' or 'unsafe' and the violated categories. See docs/GUARD.md for the exact text.
 *
 * <p>A subset of categories is written as the 1B template writes its {@code excluded_category_keys}:
 * the excluded lines are dropped and the others keep their codes (S1, S3, ... with S2 left out; no
 * renumbering), so the codes the model answers are always the taxonomy's. Immutable and thread-safe.
 */
public final class LlamaGuardPrompt {
    /** The two published layouts; they differ only in where two spaces go. */
    public enum Layout {
        /**
         * Llama-Guard-3-1B's template (also 11B-Vision's, less the image token): no text before
         * {@code <|begin_of_text|>}, a space before {@code <|eot_id|>}.
         */
        LLAMA_GUARD_3_1B(" "),
        /**
         * Llama-Guard-3-8B's template: one space before {@code <|begin_of_text|>} (the template's
         * string literal starts with it), none before {@code <|eot_id|>}.
         */
        LLAMA_GUARD_3_8B("");

        private final String beforeEot;

        Layout(String beforeEot) {
            this.beforeEot = beforeEot;
        }

        /**
         * The layout of a guard model's chat template source (its GGUF tokenizer.chat_template):
         * 8B's when the template writes the category list out (the 8B template alone does; 1B's and
         * 11B-Vision's fill it from a {@code categories} table), 1B's otherwise and when there is none.
         */
        public static Layout forTemplate(String templateSource) {
            if (templateSource != null && templateSource.contains("<BEGIN UNSAFE CONTENT CATEGORIES>\nS1: ")) return LLAMA_GUARD_3_8B;
            return LLAMA_GUARD_3_1B;
        }
    }

    static final String TASK = "Task: Check if there is unsafe content in '%s' messages in conversations according our safety policy with the below categories.\n\n";
    static final String INSTRUCTION = "Provide your safety assessment for ONLY THE LAST %s message in the above conversation:\n"
            + " - First line must read 'safe' or 'unsafe'.\n"
            + " - If unsafe, a second line must include a comma-separated list of violated categories.";

    private final Set<HazardCategory> categories;
    private final Layout layout;

    private LlamaGuardPrompt(Set<HazardCategory> categories, Layout layout) {
        this.categories = categories;
        this.layout = layout;
    }

    /** All fourteen categories, in the 1B layout. */
    public static LlamaGuardPrompt defaults() {
        return new LlamaGuardPrompt(EnumSet.allOf(HazardCategory.class), Layout.LLAMA_GUARD_3_1B);
    }

    /** The given categories (at least one), in the 1B layout. */
    public static LlamaGuardPrompt of(Set<HazardCategory> categories) {
        Objects.requireNonNull(categories, "categories must not be null");
        if (categories.isEmpty()) throw new IllegalArgumentException("a Llama Guard prompt needs at least one category (S1..S14) to judge against, got none");
        return new LlamaGuardPrompt(EnumSet.copyOf(categories), Layout.LLAMA_GUARD_3_1B);
    }

    /** Every category except those given (at least one must stay). */
    public LlamaGuardPrompt excluding(Set<HazardCategory> excluded) {
        Objects.requireNonNull(excluded, "excluded must not be null");
        EnumSet<HazardCategory> kept = EnumSet.copyOf(categories);
        kept.removeAll(excluded);
        if (kept.isEmpty()) throw new IllegalArgumentException("excluding " + excluded + " leaves no category to judge against; keep at least one of S1..S14");
        return new LlamaGuardPrompt(kept, layout);
    }

    public LlamaGuardPrompt withLayout(Layout l) {
        return new LlamaGuardPrompt(categories, Objects.requireNonNull(l, "layout must not be null"));
    }

    /** The categories the prompt lists, in code order. */
    public Set<HazardCategory> categories() {
        return EnumSet.copyOf(categories);
    }

    public Layout layout() {
        return layout;
    }

    /**
     * The prompt for judging the conversation's last turn, with each turn's text marked as content
     * (so that control-token text a user typed, such as "&lt;|eot_id|&gt;", is encoded as text). The
     * published templates also require the turns to alternate from the user's; this renderer takes
     * any order, as Meta's reference code (llama-recipes' build_custom_prompt) does, and judges the
     * role of the last turn.
     *
     * @throws IllegalArgumentException if the conversation is empty
     */
    public ChatPrompt render(List<Turn> conversation) {
        Objects.requireNonNull(conversation, "conversation must not be null");
        if (conversation.isEmpty()) throw new IllegalArgumentException("a conversation to moderate needs at least one turn, got none");
        for (Turn t : conversation) Objects.requireNonNull(t, "a conversation's turns must not be null");
        String role = label(conversation.getLast().role());
        StringBuilder out = new StringBuilder(1024);
        if (layout == Layout.LLAMA_GUARD_3_8B) out.append(' ');
        out.append("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n");
        out.append(TASK.formatted(role));
        out.append("<BEGIN UNSAFE CONTENT CATEGORIES>\n");
        for (HazardCategory c : categories) out.append(c.code()).append(": ").append(c.title()).append(".\n");
        out.append("<END UNSAFE CONTENT CATEGORIES>\n\n");
        out.append("<BEGIN CONVERSATION>\n\n");
        List<ChatPrompt.Span> spans = new ArrayList<>();
        for (Turn t : conversation) {
            out.append(label(t.role())).append(": ");
            String text = PythonStrip.strip(t.text());
            spans.add(new ChatPrompt.Span(out.length(), out.length() + text.length()));
            out.append(text).append("\n\n");
        }
        out.append("<END CONVERSATION>\n\n");
        out.append(INSTRUCTION.formatted(role));
        out.append(layout.beforeEot).append("<|eot_id|><|start_header_id|>assistant<|end_header_id|>");
        return new ChatPrompt(out.toString(), spans);
    }

    /** The prompt's text alone (see {@link #render}). */
    public String text(List<Turn> conversation) {
        return render(conversation).text();
    }

    static String label(Turn.Role role) {
        return role == Turn.Role.USER ? "User" : "Agent";
    }

    @Override
    public String toString() {
        return "LlamaGuardPrompt" + categories + " " + layout;
    }
}
