package dev.vane.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.vane.model.Model;
import dev.vane.model.Pooling;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Vane model's pooled final hidden states as LangChain4j's {@link EmbeddingModel}
 * ({@link Model#embed}): mean pooling and unit length unless the builder says otherwise; the
 * dimension is the model's width. The model is the caller's to close.
 */
public final class VaneEmbeddingModel implements EmbeddingModel {
    private final Model model;
    private final Pooling pooling;
    private final boolean normalize;
    private final String modelName;

    private VaneEmbeddingModel(Builder b) {
        this.model = Objects.requireNonNull(b.model, "model must not be null");
        this.pooling = Objects.requireNonNull(b.pooling, "pooling must not be null");
        this.normalize = b.normalize;
        this.modelName = b.modelName == null ? "vane" : b.modelName;
    }

    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
        Objects.requireNonNull(segments, "segments must not be null");
        List<String> texts = new ArrayList<>(segments.size());
        int tokens = 0;
        for (int i = 0; i < segments.size(); i++) {
            if (segments.get(i) == null) throw new IllegalArgumentException("segment " + i + " is null");
            String text = segments.get(i).text();
            texts.add(text);
            tokens += model.tokenizer().encode(text, true, false).length;
        }
        List<float[]> vectors = model.embed(texts, pooling, normalize);
        List<Embedding> out = new ArrayList<>(vectors.size());
        for (float[] v : vectors) out.add(Embedding.from(v));
        return Response.from(out, new TokenUsage(tokens));
    }

    @Override
    public int dimension() {
        return model.config().dim();
    }

    @Override
    public String modelName() {
        return modelName;
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    /** How token states become one vector. */
    public Pooling pooling() {
        return pooling;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private Model model;
        private Pooling pooling = Pooling.MEAN;
        private boolean normalize = true;
        private String modelName;

        /** The loaded model (required). */
        public Builder model(Model model) {
            this.model = model;
            return this;
        }

        /** MEAN (default), LAST or FIRST (CLS-style). */
        public Builder pooling(Pooling pooling) {
            this.pooling = pooling;
            return this;
        }

        /** Scale each vector to unit length (default true). */
        public Builder normalize(boolean normalize) {
            this.normalize = normalize;
            return this;
        }

        public Builder modelName(String modelName) {
            this.modelName = modelName;
            return this;
        }

        public VaneEmbeddingModel build() {
            return new VaneEmbeddingModel(this);
        }
    }
}
