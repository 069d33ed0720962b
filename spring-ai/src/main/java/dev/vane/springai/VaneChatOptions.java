package dev.vane.springai;

import java.util.List;
import org.springframework.ai.chat.prompt.ChatOptions;

/**
 * Spring AI's portable chat options plus Vane's seed (a fixed seed makes a sampled reply
 * repeatable). Pass it as a prompt's options or as the model's defaults (the vane.chat.*
 * properties); a prompt's options win where set.
 */
public class VaneChatOptions implements ChatOptions {
    private final String model;
    private final Integer maxTokens;
    private final List<String> stopSequences;
    private final Double temperature;
    private final Integer topK;
    private final Double topP;
    private final Long seed;

    VaneChatOptions(String model, Integer maxTokens, List<String> stopSequences, Double temperature, Integer topK, Double topP, Long seed) {
        this.model = model;
        this.maxTokens = maxTokens;
        this.stopSequences = stopSequences == null ? null : List.copyOf(stopSequences);
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.seed = seed;
    }

    /** These options with the set values of over replacing them (over may be any ChatOptions; null keeps these). */
    VaneChatOptions overriddenBy(ChatOptions over) {
        if (over == null) return this;
        return new VaneChatOptions(or(over.getModel(), model), or(over.getMaxTokens(), maxTokens), or(over.getStopSequences(), stopSequences),
                or(over.getTemperature(), temperature), or(over.getTopK(), topK), or(over.getTopP(), topP),
                over instanceof VaneChatOptions v ? or(v.seed, seed) : seed);
    }

    private static <T> T or(T a, T b) {
        return a != null ? a : b;
    }

    @Override
    public String getModel() {
        return model;
    }

    /** Vane has no frequency penalty; always null. */
    @Override
    public Double getFrequencyPenalty() {
        return null;
    }

    @Override
    public Integer getMaxTokens() {
        return maxTokens;
    }

    /** Vane has no presence penalty; always null. */
    @Override
    public Double getPresencePenalty() {
        return null;
    }

    @Override
    public List<String> getStopSequences() {
        return stopSequences;
    }

    @Override
    public Double getTemperature() {
        return temperature;
    }

    @Override
    public Integer getTopK() {
        return topK;
    }

    @Override
    public Double getTopP() {
        return topP;
    }

    /** The sampler's seed, or null for a fresh one each request. */
    public Long getSeed() {
        return seed;
    }

    /** Spring AI's portable builder over these values (the seed is Vane's own: set it with {@link #builder()}). */
    @Override
    public ChatOptions.Builder<?> mutate() {
        return ChatOptions.builder().model(model).maxTokens(maxTokens).stopSequences(stopSequences).temperature(temperature).topK(topK).topP(topP);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String model;
        private Integer maxTokens;
        private List<String> stopSequences;
        private Double temperature;
        private Integer topK;
        private Double topP;
        private Long seed;

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder maxTokens(Integer maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        public Builder stopSequences(List<String> stopSequences) {
            this.stopSequences = stopSequences;
            return this;
        }

        public Builder temperature(Double temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder topK(Integer topK) {
            this.topK = topK;
            return this;
        }

        public Builder topP(Double topP) {
            this.topP = topP;
            return this;
        }

        public Builder seed(Long seed) {
            this.seed = seed;
            return this;
        }

        public VaneChatOptions build() {
            return new VaneChatOptions(model, maxTokens, stopSequences, temperature, topK, topP, seed);
        }
    }
}
