package dev.vane.springai;

import dev.vane.model.Model;
import dev.vane.model.Pooling;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;

/** A Vane model's pooled final hidden states ({@link Model#embed}) as Spring AI's {@link EmbeddingModel}. */
public final class VaneSpringEmbeddingModel implements EmbeddingModel {
    private final Model model;
    private final Pooling pooling;
    private final boolean normalize;

    public VaneSpringEmbeddingModel(Model model, Pooling pooling, boolean normalize) {
        this.model = Objects.requireNonNull(model, "model must not be null");
        this.pooling = Objects.requireNonNull(pooling, "pooling must not be null");
        this.normalize = normalize;
    }

    @Override
    public EmbeddingResponse call(EmbeddingRequest request) {
        Objects.requireNonNull(request, "request must not be null");
        List<float[]> vectors = model.embed(request.getInstructions(), pooling, normalize);
        List<Embedding> out = new ArrayList<>(vectors.size());
        for (int i = 0; i < vectors.size(); i++) out.add(new Embedding(vectors.get(i), i));
        return new EmbeddingResponse(out);
    }

    @Override
    public float[] embed(Document document) {
        Objects.requireNonNull(document, "document must not be null");
        return model.embed(List.of(getEmbeddingContent(document)), pooling, normalize).get(0);
    }

    @Override
    public int dimensions() {
        return model.config().dim();
    }
}
