package dev.vane.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import java.util.Objects;

/**
 * LangChain4j's chat parameters plus Vane's own sampling settings: the seed (a fixed seed makes a
 * sampled reply repeatable), min-p and the repetition penalty over the last tokens. Pass it as a
 * request's parameters or as a model's defaults; unset values fall back to the defaults.
 */
public class VaneChatRequestParameters extends DefaultChatRequestParameters {
    private final Long seed;
    private final Double minP;
    private final Double repetitionPenalty;

    protected VaneChatRequestParameters(Builder builder) {
        super(builder);
        this.seed = builder.seed;
        this.minP = builder.minP;
        this.repetitionPenalty = builder.repetitionPenalty;
    }

    /** The sampler's seed, or null for a fresh one each request. */
    public Long seed() {
        return seed;
    }

    /** Tokens at least this times as likely as the best are kept (0 off), or null for the default. */
    public Double minP() {
        return minP;
    }

    /** The penalty on tokens among the last 64 (1 off), or null for the default. */
    public Double repetitionPenalty() {
        return repetitionPenalty;
    }

    @Override
    public ChatRequestParameters overrideWith(ChatRequestParameters that) {
        return builder().overrideWith(this).overrideWith(that).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VaneChatRequestParameters v && super.equals(o) && Objects.equals(seed, v.seed) && Objects.equals(minP, v.minP)
                && Objects.equals(repetitionPenalty, v.repetitionPenalty);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), seed, minP, repetitionPenalty);
    }

    @Override
    public String toString() {
        return "VaneChatRequestParameters{" + super.toString() + ", seed=" + seed + ", minP=" + minP + ", repetitionPenalty=" + repetitionPenalty + "}";
    }

    public static Builder builder() {
        return new Builder();
    }

    public static class Builder extends DefaultChatRequestParameters.Builder<Builder> {
        private Long seed;
        private Double minP;
        private Double repetitionPenalty;

        @Override
        public Builder overrideWith(ChatRequestParameters parameters) {
            super.overrideWith(parameters);
            if (parameters instanceof VaneChatRequestParameters v) {
                if (v.seed != null) seed = v.seed;
                if (v.minP != null) minP = v.minP;
                if (v.repetitionPenalty != null) repetitionPenalty = v.repetitionPenalty;
            }
            return this;
        }

        public Builder seed(Long seed) {
            this.seed = seed;
            return this;
        }

        public Builder minP(Double minP) {
            this.minP = minP;
            return this;
        }

        public Builder repetitionPenalty(Double penalty) {
            this.repetitionPenalty = penalty;
            return this;
        }

        @Override
        public VaneChatRequestParameters build() {
            return new VaneChatRequestParameters(this);
        }
    }
}
