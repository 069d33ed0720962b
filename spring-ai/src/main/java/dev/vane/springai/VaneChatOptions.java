package dev.vane.springai;

import dev.vane.model.ChatReply;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.model.tool.DefaultToolCallingChatOptions;
import org.springframework.ai.model.tool.StructuredOutputChatOptions;
import org.springframework.ai.tool.ToolCallback;

/**
 * Spring AI's chat options (with tool callbacks) plus Vane's own: the sampler's seed (a fixed seed
 * makes a sampled reply repeatable) and an output schema (JSON Schema the reply is constrained to,
 * which Spring AI's native structured output sets). A prompt's options are merged over the
 * model's defaults through {@link #mutate()} and {@link Builder#combineWith}, as Spring AI does.
 */
public class VaneChatOptions extends DefaultToolCallingChatOptions implements StructuredOutputChatOptions {
    private final Long seed;
    private final String outputSchema;
    private final ChatReply.ToolChoice toolChoice;

    protected VaneChatOptions(Builder b) {
        super(b.toolCallbackList(), b.toolContextMap(), b.model(), b.frequencyPenalty(),
                b.maxTokens(), b.presencePenalty(), b.stopSequences(), b.temperature(), b.topK(), b.topP());
        this.seed = b.seed;
        this.outputSchema = b.outputSchema;
        this.toolChoice = b.toolChoice;
    }

    /** Whether the model may (null or AUTO), must (REQUIRED: a grammar forces a call) or must not (NONE) call the tools. */
    public ChatReply.ToolChoice getToolChoice() {
        return toolChoice;
    }

    /** The sampler's seed, or null for a fresh one each request. */
    public Long getSeed() {
        return seed;
    }

    /** The JSON Schema the reply must match, or null for free text. */
    @Override
    public String getOutputSchema() {
        return outputSchema;
    }

    @Override
    public Builder mutate() {
        Builder b = new Builder().model(getModel()).frequencyPenalty(getFrequencyPenalty()).maxTokens(getMaxTokens()).presencePenalty(getPresencePenalty())
                .stopSequences(getStopSequences()).temperature(getTemperature()).topK(getTopK()).topP(getTopP()).toolCallbacks(getToolCallbacks())
                .toolContext(getToolContext());
        b.seed = seed;
        b.outputSchema = outputSchema;
        b.toolChoice = toolChoice;
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VaneChatOptions v && super.equals(o) && Objects.equals(seed, v.seed) && Objects.equals(outputSchema, v.outputSchema) && toolChoice == v.toolChoice;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), seed, outputSchema, toolChoice);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static class Builder extends DefaultToolCallingChatOptions.Builder<Builder> implements StructuredOutputChatOptions.Builder<Builder> {
        private Long seed;
        private String outputSchema;
        private ChatReply.ToolChoice toolChoice;

        public Builder toolChoice(ChatReply.ToolChoice choice) {
            this.toolChoice = choice;
            return this;
        }

        public Builder seed(Long seed) {
            this.seed = seed;
            return this;
        }

        @Override
        public Builder outputSchema(String schema) {
            this.outputSchema = schema;
            return this;
        }

        /** Takes other's set values over this builder's (tool callbacks and context are added to), as Spring AI merges options. */
        @Override
        public Builder combineWith(ChatOptions.Builder<?> other) {
            super.combineWith(other);
            if (other instanceof Builder v) {
                if (v.seed != null) seed = v.seed;
                if (v.outputSchema != null) outputSchema = v.outputSchema;
                if (v.toolChoice != null) toolChoice = v.toolChoice;
            }
            return this;
        }

        @Override
        public Builder clone() {
            Builder b = super.clone();
            b.seed = seed;
            b.outputSchema = outputSchema;
            b.toolChoice = toolChoice;
            return b;
        }

        List<ToolCallback> toolCallbackList() { return toolCallbacks == null ? List.of() : toolCallbacks; }
        Map<String, Object> toolContextMap() { return toolContext == null ? Map.of() : toolContext; }
        String model() { return model; }
        Double frequencyPenalty() { return frequencyPenalty; }
        Integer maxTokens() { return maxTokens; }
        Double presencePenalty() { return presencePenalty; }
        List<String> stopSequences() { return stopSequences; }
        Double temperature() { return temperature; }
        Integer topK() { return topK; }
        Double topP() { return topP; }

        @Override
        public VaneChatOptions build() {
            return new VaneChatOptions(this);
        }
    }

    /** The tool callbacks, never null. */
    List<ToolCallback> tools() {
        return getToolCallbacks() == null ? List.of() : getToolCallbacks();
    }
}
