package dev.vane.model;

import dev.vane.model.chat.ChatFormat;
import dev.vane.model.chat.ChatPrompt;
import dev.vane.model.chat.ChatFormatProvider.SpecialTokenTexts;
import dev.vane.model.chat.ChatTemplate;
import dev.vane.model.chat.ModelChatFormat;
import dev.vane.quant.QuantFormat;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.tokenizer.Tokenizer;
import dev.vane.model.tokenizer.Vocabulary;
import java.io.IOException;
import java.lang.foreign.Arena;
import dev.vane.model.json.Json;
import dev.vane.model.json.JsonException;
import dev.vane.model.safetensors.SafetensorsFile;
import dev.vane.model.tokenizer.HfTokenizerJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loaded model: hyperparameters, tokenizer and weights, shared by any number of {@link Session}s
 * (each with its own KV cache; sessions may run on different threads), {@link Batch}es and
 * {@link Scheduler}s. The file stays mapped while the model is open. {@link #close()} is safe at
 * any moment, also while they run: it waits for the passes running on the weights, then frees
 * them, and every session, batch and scheduler of the model fails its next pass with
 * {@link IllegalStateException} ("the model is closed"); each is still closed by its owner.
 *
 * <pre>{@code
 * try (Model model = Model.load(Path.of("model.gguf"));
 *      Session session = model.newSession()) {
 *     session.generate("Once upon a time", GenerationOptions.greedy(64), t -> { System.out.print(t.text()); return true; });
 * }
 * }</pre>
 */
public final class Model implements AutoCloseable {
    private final List<AutoCloseable> files;  // mapped model files, unmapped at close
    private final Arena arena;
    private final ModelConfig config;
    private final Tokenizer tokenizer;
    private final ModelWeights weights;
    private final WeightFormat weightFormat;
    private final ChatTemplate chatTemplate;  // null if the files name none Vane renders
    private final String chatTemplateSource;  // the files' template text, null if none
    private final SpecialTokenTexts specialTokenTexts;
    private volatile ChatFormat chatFormat;  // chosen on first use (it may load a template engine)
    private final Set<AutoCloseable> handles = ConcurrentHashMap.newKeySet();  // open sessions, batches, schedulers made by this model
    private final Telemetry telemetry = new Telemetry();
    private volatile long loadNanos;  // set once by load, before the model is returned
    private volatile boolean closed;

    private Model(List<AutoCloseable> files, Arena arena, ModelConfig config, Tokenizer tokenizer, ModelWeights weights, WeightFormat weightFormat,
            ChatTemplate chatTemplate, String chatTemplateSource, SpecialTokenTexts specialTokenTexts) {
        this.chatTemplate = chatTemplate;
        this.chatTemplateSource = chatTemplateSource;
        this.specialTokenTexts = specialTokenTexts;
        this.files = files;
        this.arena = arena;
        this.config = config;
        this.tokenizer = tokenizer;
        this.weights = weights;
        this.weightFormat = weightFormat;
    }

    /** Loads a model with its weights as the file stores them. */
    public static Model load(Path path) throws IOException {
        return load(path, WeightFormat.AS_IS);
    }

    /**
     * Loads a model, holding its matrices as weightFormat says: a GGUF file of any family
     * {@link Architecture} lists, or a Hugging Face checkpoint directory (config.json,
     * tokenizer.json, *.safetensors; a .safetensors file stands for its directory) of the
     * families with {@link Architecture#hfNames}.
     *
     * @throws ModelFormatException if the files are not a model Vane runs (the message says why)
     * @throws dev.vane.model.gguf.GgufFormatException if a GGUF file is not valid GGUF
     * @throws dev.vane.model.safetensors.SafetensorsFormatException if a .safetensors file is not valid
     */
    public static Model load(Path path, WeightFormat weightFormat) throws IOException {
        Objects.requireNonNull(path, "path must not be null");
        Objects.requireNonNull(weightFormat, "weightFormat must not be null");
        JfrEvents.ModelLoad event = JfrEvents.ModelLoad.start();
        boolean checkpoint = Files.isDirectory(path) || path.getFileName().toString().endsWith(".safetensors");
        Model m = checkpoint ? loadCheckpoint(Files.isDirectory(path) ? path : path.toAbsolutePath().getParent(), weightFormat)
                : loadGguf(path, weightFormat);
        m.loadNanos = System.nanoTime() - event.t0;
        m.telemetry.modelLoaded(event, path.toString(), checkpoint ? "safetensors" : "gguf", weightFormat, m.weightBytes());
        return m;
    }

    private static Model loadGguf(Path path, WeightFormat weightFormat) throws IOException {
        GgufFile file = GgufFile.open(path);
        Arena arena = dev.vane.NativeMemory.sharedArena();
        try {
            ModelConfig config;
            Tokenizer tokenizer;
            ChatTemplate template;
            SpecialTokenTexts texts;
            String source = file.metadata().containsKey("tokenizer.chat_template") ? file.string("tokenizer.chat_template") : null;
            try {
                config = ModelConfig.fromGguf(file);
                Vocabulary vocab = Vocabulary.fromGguf(file);
                tokenizer = vocab.tokenizer();
                texts = specialTokenTexts(vocab);
                template = ChatTemplate.fromGguf(file).orElse(null);
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(path + ": " + e.getMessage(), e);
            }
            if (tokenizer.vocabSize() != config.vocab()) {
                throw new ModelFormatException(path + ": the tokenizer has " + tokenizer.vocabSize() + " tokens but the model's vocabulary is " + config.vocab());
            }
            ModelWeights weights = WeightAssembler.assemble(new GgufSource(file), config, weightFormat, arena);
            return new Model(List.of(file), arena, config, tokenizer, weights, weightFormat, template, source, texts);
        } catch (RuntimeException | Error e) {
            arena.close();
            file.close();
            throw e;
        }
    }

    private static Model loadCheckpoint(Path dir, WeightFormat weightFormat) throws IOException {
        Path configFile = dir.resolve("config.json"), tokenizerFile = dir.resolve("tokenizer.json");
        for (Path p : new Path[] {configFile, tokenizerFile}) {
            if (!Files.isRegularFile(p)) throw new ModelFormatException(dir + " has no " + p.getFileName() + " (a Hugging Face checkpoint needs it)");
        }
        List<Path> shards;
        try (var list = Files.list(dir)) {
            shards = list.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        }
        if (shards.isEmpty()) throw new ModelFormatException(dir + " has no .safetensors files");
        ModelConfig config;
        boolean tied;
        try {
            if (!(Json.parse(Files.readString(configFile)) instanceof Map<?, ?> json)) throw new ModelFormatException("config.json is not a JSON object");
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) json;
            config = ModelConfig.fromHfConfig(m);
            tied = Boolean.TRUE.equals(m.get("tie_word_embeddings"));
        } catch (JsonException e) {
            throw new ModelFormatException(configFile + ": " + e.getMessage(), e);
        }
        Vocabulary vocab = HfTokenizerJson.read(tokenizerFile);
        Tokenizer tokenizer = vocab.tokenizer();
        if (tokenizer.vocabSize() > config.vocab()) {
            throw new ModelFormatException(dir + ": the tokenizer has " + tokenizer.vocabSize() + " tokens but config.json's vocab_size is " + config.vocab());
        }
        List<SafetensorsFile> files = new ArrayList<>();
        Arena arena = dev.vane.NativeMemory.sharedArena();
        try {
            for (Path p : shards) files.add(SafetensorsFile.open(p));
            ModelWeights weights = WeightAssembler.assemble(new SafetensorsSource(files, arena, tied), config, weightFormat, arena);
            String source = checkpointTemplateSource(dir);
            return new Model(List.copyOf(files), arena, config, tokenizer, weights, weightFormat, checkpointTemplate(source), source,
                    specialTokenTexts(vocab));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            for (SafetensorsFile f : files) f.close();
            throw e;
        }
    }

    // tokenizer_config.json's chat_template (a string, or a list of named templates of which "default" is taken), or null.
    private static String checkpointTemplateSource(Path dir) throws IOException {
        Path p = dir.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(p)) return null;
        try {
            if (!(Json.parse(Files.readString(p)) instanceof Map<?, ?> m)) return null;
            if (m.get("chat_template") instanceof String t) return t;
            if (m.get("chat_template") instanceof List<?> named) {
                for (Object o : named) if (o instanceof Map<?, ?> e && "default".equals(e.get("name")) && e.get("template") instanceof String t) return t;
            }
        } catch (JsonException e) {
            return null;  // an unreadable config names no template
        }
        return null;
    }

    // The built-in format a template's markers name, if Vane renders it.
    private static ChatTemplate checkpointTemplate(String source) {
        if (source == null) return null;
        try {
            return ChatTemplate.detect(source);
        } catch (IllegalArgumentException e) {
            return null;  // no template Vane knows: chat() then needs one named explicitly
        }
    }

    private static SpecialTokenTexts specialTokenTexts(Vocabulary v) {
        return new SpecialTokenTexts(v.bos() >= 0 ? v.tokens().get(v.bos()) : "", v.eos() >= 0 ? v.tokens().get(v.eos()) : "");
    }

    /**
     * The chat template text the model's files carry (GGUF tokenizer.chat_template, or a
     * checkpoint's tokenizer_config.json chat_template), if any.
     */
    public Optional<String> chatTemplateSource() {
        return Optional.ofNullable(chatTemplateSource);
    }

    /** The texts of the model's BOS and EOS tokens ("" where it has none), as chat templates use them. */
    public SpecialTokenTexts specialTokenTexts() {
        return specialTokenTexts;
    }

    /**
     * How conversations are rendered for this model: its own template when a template engine
     * (module vane-jinja) is on the class path and renders it, else the built-in format its
     * template names, else ChatML, as llama.cpp falls back (see {@link ModelChatFormat}).
     */
    public ChatFormat chatFormat() {
        ChatFormat f = chatFormat;
        if (f == null) chatFormat = f = ModelChatFormat.choose(chatTemplateSource, specialTokenTexts);
        return f;
    }

    /**
     * A rendered chat's token ids: the template's scaffolding with special tokens parsed, the
     * message contents without (a user who types "<|eot_id|>" does not end the turn), the BOS first
     * when wanted unless the template wrote it itself (e.g. {{ bos_token }}).
     */
    public int[] encodeChat(ChatPrompt prompt, boolean wantBos) {
        java.util.Objects.requireNonNull(prompt, "prompt must not be null");
        String bos = specialTokenTexts.bos();
        return prompt.encode(tokenizer, wantBos && (bos.isEmpty() || !prompt.text().startsWith(bos)));
    }

    /** The chat format the model's files name (tokenizer.chat_template / tokenizer_config.json), if Vane renders it. */
    public Optional<ChatTemplate> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    public ModelConfig config() {
        return config;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public WeightFormat weightFormat() {
        return weightFormat;
    }

    /** Bytes of the weights as held (what each decoded token reads, but for the embedding table's one row). */
    public long weightBytes() {
        return weights.bytes();
    }

    /**
     * Bytes held in each weight format (the embedding table included): what a requested format
     * really gave, e.g. int4_sym_g64 for matrices too narrow for int4_sym_g128's groups.
     */
    public Map<QuantFormat, Long> heldFormats() {
        return weights.bytesByFormat();
    }

    /** The bytes one decoded token must read: every matrix but the embedding table (of which one row). */
    public long bytesPerToken() {
        return weights.bytes() - weights.embedding().segment().byteSize();
    }

    /** A new session with the default options (its own KV cache). */
    public Session newSession() {
        return newSession(SessionOptions.defaults(config));
    }

    public synchronized Session newSession(SessionOptions options) {  // synchronized with close()
        requireOpen();
        Session s = new Session(this, options);
        handles.add(s);
        return s;
    }

    /**
     * Runs greedy generations on a scratch session for about {@code budget} (at least one), so
     * that the JVM has compiled the Java side of a decode step before the first request: a small
     * model otherwise decodes well below its speed over its first thousands of tokens (the
     * embedded model ≈ 0.6x). Returns the tokens generated. A server calls it once after load;
     * a zero budget runs one generation.
     */
    public long warmUp(Duration budget) {
        requireOpen();
        return WarmUp.run(this, budget);
    }

    /**
     * A vector for each text: its tokens (BOS first) run on a scratch session, their final hidden
     * states (after the output norm, as llama.cpp's embeddings) pooled as pooling says, then
     * scaled to unit length if normalize.
     *
     * @throws IllegalArgumentException for an empty text (no tokens) or one longer than the context
     */
    public List<float[]> embed(List<String> texts, Pooling pooling, boolean normalize) {
        requireOpen();
        Objects.requireNonNull(texts, "texts must not be null");
        Objects.requireNonNull(pooling, "pooling must not be null");
        return Embeddings.embed(this, texts, pooling, normalize);
    }

    /**
     * Buffers to step up to capacity of this model's sessions together ({@link Batch}); the
     * caller closes it.
     */
    public synchronized Batch newBatch(int capacity) {
        requireOpen();
        Batch b = new Batch(this, capacity);
        handles.add(b);
        return b;
    }

    /**
     * A scheduler stepping up to capacity of this model's generations together, with up to
     * queueCapacity more waiting ({@link Scheduler}, continuous batching); the caller closes it.
     */
    public Scheduler newScheduler(int capacity, int queueCapacity) {
        return newScheduler(SchedulerOptions.defaults(config).withCapacity(capacity).withQueueCapacity(queueCapacity));
    }

    /**
     * A scheduler with the given settings ({@link SchedulerOptions}: slots, queue, context, prompt
     * chunk, prompt caching, pool); the caller closes it.
     */
    public synchronized Scheduler newScheduler(SchedulerOptions options) {
        requireOpen();
        Scheduler s = new Scheduler(this, options);
        handles.add(s);
        return s;
    }

    /**
     * Sessions, batches and schedulers made by this model and not closed yet (a scheduler's own
     * sessions count as part of it). A caller that shares a model may close it when this is 0.
     */
    public int openHandles() {
        return handles.size();
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed;
    }

    /** How long {@link #load} took: reading the files and assembling the weights. */
    public Duration loadTime() {
        return Duration.ofNanos(loadNanos);
    }

    /**
     * Registers an observer of this model's generations, prefill chunks and decode steps (from
     * every session, batch and scheduler of it) until the registration is closed; see
     * {@link ModelObserver} for the threads it is called on and what happens when it throws.
     */
    public ModelObserver.Registration addObserver(ModelObserver observer) {
        return telemetry.add(observer);
    }

    Telemetry telemetry() {
        return telemetry;
    }

    ModelWeights weights() {
        requireOpen();
        return weights;
    }

    // A session, batch or scheduler of this model was closed (a no-op for those it did not make).
    void closed(AutoCloseable handle) {
        handles.remove(handle);
    }

    void requireOpen() {
        if (closed) throw new IllegalStateException(InFlight.CLOSED);
    }

    /**
     * Frees the weights and unmaps the files, at once if nothing runs on them, else as soon as
     * the passes running on them end (it waits for those; any thread may call it, a token
     * listener too, since listeners run between passes). From then on every session, batch and
     * scheduler of the model fails its next pass with {@link IllegalStateException} ("the model
     * is closed"), a scheduler's queued and running requests complete exceptionally with it, and
     * new ones are refused; their own buffers and KV caches stay until their owners close them,
     * which works as usual (nothing is freed twice). Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {  // with newSession, newBatch, newScheduler: none starts from here on
            if (closed) return;
            closed = true;
        }
        weights.inFlight().close();  // no new pass starts; waits for those running (outside the lock: newSession fails at once meanwhile)
        arena.close();
        for (AutoCloseable f : files) {
            try {
                f.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing a model file failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "Model[%s%s, %.1fM parameters, weights %s]", config.architecture(), config.moe() ? " MoE" : "",
                config.parameters() / 1e6, weightFormat);
    }
}
