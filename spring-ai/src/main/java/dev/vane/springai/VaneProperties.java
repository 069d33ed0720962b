package dev.vane.springai;

import dev.vane.model.Pooling;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The vane.* properties: which model file (none: the embedded model, when vane-embedded-model is
 * on the class path), its weights format, the native threads, each request's context, how many
 * requests run at once, the embedding pooling, and the chat defaults (vane.chat.*).
 */
@ConfigurationProperties("vane")
public class VaneProperties {
    /** A GGUF file or checkpoint directory; empty for the embedded model. */
    private String model;
    /** as-is (the file's own formats), fp8, int4, int4-g128, ... (WeightFormat.parse). */
    private String weights = "as-is";
    /** Native threads (0: VANE_THREADS or the cores available). */
    private int threads;
    /** Tokens of each request's session, prompt and reply (0: the model's, at most 4096). */
    private int context;
    /** Requests generating at once; more wait. */
    private int sessions = 4;
    /**
     * A Jinja chat template to render conversations with instead of the model's own (a Spring
     * resource location: file:..., classpath:...); empty: the model's. Rendered by vane-jinja.
     */
    private String chatTemplate;
    private Pooling embeddingPooling = Pooling.MEAN;
    private boolean embeddingNormalize = true;
    private final Chat chat = new Chat();

    /** Defaults for prompts that leave them unset. */
    public static class Chat {
        private Integer maxTokens;
        private Double temperature;
        private Integer topK;
        private Double topP;
        private Long seed;

        public Integer getMaxTokens() { return maxTokens; }
        public void setMaxTokens(Integer v) { maxTokens = v; }
        public Double getTemperature() { return temperature; }
        public void setTemperature(Double v) { temperature = v; }
        public Integer getTopK() { return topK; }
        public void setTopK(Integer v) { topK = v; }
        public Double getTopP() { return topP; }
        public void setTopP(Double v) { topP = v; }
        public Long getSeed() { return seed; }
        public void setSeed(Long v) { seed = v; }

        VaneChatOptions options() {
            return VaneChatOptions.builder().maxTokens(maxTokens).temperature(temperature).topK(topK).topP(topP).seed(seed).build();
        }
    }

    public String getModel() { return model; }
    public void setModel(String v) { model = v; }
    public String getWeights() { return weights; }
    public void setWeights(String v) { weights = v; }
    public int getThreads() { return threads; }
    public void setThreads(int v) { threads = v; }
    public int getContext() { return context; }
    public void setContext(int v) { context = v; }
    public int getSessions() { return sessions; }
    public void setSessions(int v) { sessions = v; }
    public String getChatTemplate() { return chatTemplate; }
    public void setChatTemplate(String v) { chatTemplate = v; }
    public Pooling getEmbeddingPooling() { return embeddingPooling; }
    public void setEmbeddingPooling(Pooling v) { embeddingPooling = v; }
    public boolean isEmbeddingNormalize() { return embeddingNormalize; }
    public void setEmbeddingNormalize(boolean v) { embeddingNormalize = v; }
    public Chat getChat() { return chat; }
}
