package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.MachineCeilings;
import dev.vane.attention.KvCache;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.json.Json;
import dev.vane.model.json.JsonWriter;
import dev.vane.model.safetensors.SafetensorsFile.Dtype;
import dev.vane.tools.generate.HfCheckpointGenerator;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sizes from hostile metadata (GGUF keys, config.json fields) are refused with a message naming
 * the key, before anything they would size is allocated: each load is measured
 * ({@link AllocationProbe}: heap the thread allocated, peak resident memory). A file declaring a
 * 1M-token context loads, and its sessions and schedulers default to 4096 positions; a KV cache
 * past the memory bound ({@link KvBudget}) is refused before any of it is allocated. The files
 * are generated tiny models with one thing changed.
 */
class MetadataLimitsTest {
    // A tiny model's load allocates a few MB (tokenizer, norms; the weights are mapped); a size
    // taken at face value would allocate far more (a 2e9-layer array is 2 GB).
    static final long HEAP_LIMIT = 64L << 20, RSS_LIMIT = 96L << 20;

    @TempDir
    static Path dir;
    static Path dense, moe, ckptDense, ckptMoe;

    @BeforeAll
    static void write() throws Exception {
        dense = dir.resolve("dense.gguf");
        moe = dir.resolve("moe.gguf");
        ModelGenerator.writeGguf(ModelSpec.tinyLlama(GgmlType.F16), dense);
        ModelGenerator.writeGguf(ModelSpec.tinyMixtral(GgmlType.F16), moe);
        ckptDense = dir.resolve("ckpt-dense");
        ckptMoe = dir.resolve("ckpt-moe");
        HfCheckpointGenerator.write(ModelSpec.tinyLlama(GgmlType.F32).withTokenizer(ModelSpec.TokenizerKind.BPE), Dtype.BF16, ckptDense);
        HfCheckpointGenerator.write(ModelSpec.tinyMixtral(GgmlType.F32).withTokenizer(ModelSpec.TokenizerKind.BPE), Dtype.BF16, ckptMoe);
        for (Path p : List.of(dense, moe, ckptDense, ckptMoe)) Model.load(p).close();
    }

    @Test
    void theProbeSeesLargeAllocations() throws Exception {
        // The bounds below mean something only if the probe sees what a bad load would do.
        AllocationProbe.Measured heap = AllocationProbe.measure(() -> {
            byte[] big = new byte[200 << 20];
            assertEquals(0, big[big.length - 1]);
        });
        assertTrue(heap.heapBytes() >= 200L << 20, "heap " + heap);
        AllocationProbe.Measured rss = AllocationProbe.measure(() -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment s = a.allocate(200L << 20);  // zeroed, so every page is touched
                assertEquals(0, s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, s.byteSize() - 1));
            }
        });
        assertTrue(rss.peakRssGrowth() >= 150L << 20, "peak RSS " + rss);
    }

    @Test
    void hostileGgufSizesAreRefusedNamingTheKey() throws Exception {
        gguf(dense, Map.of("llama.block_count", 2_000_000_000L), "llama.block_count = 2000000000 is outside 1..1024");
        gguf(dense, Map.of("llama.embedding_length", -5), "llama.embedding_length = -5 is outside 1..65536");
        gguf(dense, Map.of("llama.embedding_length", 1L << 20), "llama.embedding_length = 1048576");
        gguf(dense, Map.of("llama.attention.head_count", 0L), "llama.attention.head_count = 0");
        gguf(dense, Map.of("llama.attention.head_count_kv", 4096L), "llama.attention.head_count_kv = 4096");
        gguf(dense, Map.of("llama.attention.key_length", 100_000L), "llama.attention.key_length = 100000 is outside 1..512");
        gguf(dense, Map.of("llama.feed_forward_length", 1L << 30), "llama.feed_forward_length = 1073741824");
        gguf(dense, Map.of("llama.vocab_size", 4_000_000_000L), "llama.vocab_size = 4000000000");
        gguf(dense, Map.of("llama.context_length", 0L), "llama.context_length = 0");
        gguf(dense, Map.of("llama.rope.dimension_count", 1L << 20), "llama.rope.dimension_count = 1048576");
        gguf(dense, Map.of("llama.rope.scaling.type", "yarn", "llama.rope.scaling.factor", 4.0, "llama.rope.scaling.original_context_length", 0L),
                "llama.rope.scaling.original_context_length = 0");
    }

    @Test
    void hostileExpertCountsAreRefusedNamingTheKey() throws Exception {
        gguf(moe, Map.of("llama.expert_count", 1_000_000L), "llama.expert_count = 1000000 is outside 0..1024");
        gguf(moe, Map.of("llama.expert_used_count", 0L), "llama.expert_used_count = 0 is outside 1..4");
        gguf(moe, Map.of("llama.expert_used_count", 5L), "llama.expert_used_count = 5 is outside 1..4");
        // Within the bound but not what the tensors hold (4 experts): refused before any expert is read.
        gguf(moe, Map.of("llama.expert_count", 1000L), "llama.expert_count = 1000 does not match tensor 'blk.0.ffn_gate_inp.weight' of shape [4, 128]");
        gguf(moe, Map.of("llama.expert_count", 3L, "llama.expert_used_count", 2L), "llama.expert_count = 3 does not match tensor 'blk.0.ffn_gate_inp.weight'");
    }

    @Test
    void hostileConfigJsonSizesAreRefusedNamingTheKey() throws Exception {
        checkpoint(ckptDense, Map.of("num_hidden_layers", 2_000_000_000L), "config.json num_hidden_layers = 2000000000 is outside 1..1024");
        checkpoint(ckptDense, Map.of("hidden_size", -1L), "config.json hidden_size = -1");
        checkpoint(ckptDense, Map.of("vocab_size", 1L << 30), "config.json vocab_size = 1073741824");
        checkpoint(ckptDense, Map.of("max_position_embeddings", 0L), "config.json max_position_embeddings = 0");
        checkpoint(ckptDense, Map.of("head_dim", 4096L), "config.json head_dim = 4096 is outside 1..512");
        checkpoint(ckptDense, Map.of("num_key_value_heads", 1L << 40), "config.json num_key_value_heads = 1099511627776");
        checkpoint(ckptDense, Map.of("rope_scaling", Map.of("rope_type", "yarn", "factor", 4L, "original_max_position_embeddings", -3L)),
                "config.json rope_scaling.original_max_position_embeddings = -3");
        checkpoint(ckptMoe, Map.of("num_local_experts", 1_000_000L), "config.json num_local_experts = 1000000 is outside 0..1024");
        checkpoint(ckptMoe, Map.of("num_experts_per_tok", 0L), "config.json num_experts_per_tok = 0");
        checkpoint(ckptMoe, Map.of("num_local_experts", 64L), "config.json num_local_experts (or num_experts) = 64 does not match tensor");
    }

    @Test
    void aMillionTokenContextLoadsAndSessionsDefaultTo4096Positions() throws Exception {
        Path big = dir.resolve("million.gguf");
        GgufEdits.copy(dense, big, Map.of("llama.context_length", 1L << 20), Map.of());
        Path bigCkpt = editedCheckpoint(ckptDense, Map.of("max_position_embeddings", 1L << 20));
        for (Path p : List.of(big, bigCkpt)) {
            Model[] m = new Model[1];
            Session[] s = new Session[1];
            AllocationProbe.Measured used = AllocationProbe.measure(() -> {
                m[0] = Model.load(p);
                s[0] = m[0].newSession();
            });
            try (Model model = m[0]; Session session = s[0]) {
                assertEquals(1 << 20, model.config().contextLength(), p.toString());
                assertEquals(4096, session.contextLength(), "the default session is capped at 4096 positions");
                assertEquals(4096, SchedulerOptions.defaults(model.config()).contextLength());
                // 4096 positions x 2 layers x 2 KV heads x 32 dims x (K, V) x F16 = 2 MiB of cache.
                assertTrue(used.peakRssGrowth() < RSS_LIMIT && used.heapBytes() < HEAP_LIMIT, p + ": " + used);
                try (Session longer = model.newSession(SessionOptions.defaults(model.config()).withContextLength(65536))) {
                    assertEquals(65536, longer.contextLength(), "a longer context is there when asked for");
                    float[] logits = longer.prefill(new int[] {1, 20, 30});
                    assertEquals(model.config().vocab(), logits.length);
                    for (float v : logits) assertTrue(Float.isFinite(v));
                }
            }
        }
    }

    @Test
    void kvCachesPastTheMemoryBoundAreRefusedBeforeAllocating() throws Exception {
        try (Model model = Model.load(dense)) {
            SessionOptions million = SessionOptions.defaults(model.config()).withContextLength(1 << 20).withKvStorage(KvCache.Storage.F32);
            System.setProperty("vane.kv.maxBytes", Long.toString(64L << 20));
            try {
                // 2^20 positions x 2 layers x 2 KV heads x 32 dims x (K, V) x 4 bytes = 1 GiB.
                AllocationProbe.Measured used = AllocationProbe.measure(() -> {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.newSession(million).close());
                    assertMentions(e, "a session of 1048576 positions needs 1.00 GiB of KV cache", "vane.kv.maxBytes", "withContextLength");
                });
                assertTrue(used.peakRssGrowth() < RSS_LIMIT && used.heapBytes() < HEAP_LIMIT, used.toString());
                try (Session fits = model.newSession(million.withContextLength(8192))) {  // 8 MiB
                    assertEquals(8192, fits.contextLength());
                }
                System.setProperty("vane.kv.maxBytes", "lots");
                assertMentions(assertThrows(IllegalArgumentException.class, () -> model.newSession().close()), "vane.kv.maxBytes", "lots");
            } finally {
                System.clearProperty("vane.kv.maxBytes");
            }
            // Against the machine itself: a scheduler pool of 2^31 positions per layer is 2 TiB of F32 cache.
            long memory = MachineCeilings.physicalMemory();
            assertTrue(memory > 0 && memory < 2L << 40, "the test needs a machine with under 2 TiB of memory, this one reports " + memory);
            SchedulerOptions huge = SchedulerOptions.defaults(model.config()).withPoolTokens(Integer.MAX_VALUE).withKvStorage(KvCache.Storage.F32);
            AllocationProbe.Measured used = AllocationProbe.measure(() -> {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.newScheduler(huge).close());
                assertMentions(e, "a scheduler's KV pool of 2147483648 positions per layer needs 2048.00 GiB", "this machine's", "withPoolTokens");
            });
            assertTrue(used.peakRssGrowth() < RSS_LIMIT && used.heapBytes() < HEAP_LIMIT, used.toString());
        }
    }

    // A copy of the GGUF file with meta changed must fail to load naming what it mentions, allocating little.
    private static void gguf(Path from, Map<String, Object> meta, String mention) throws Exception {
        Path bad = Files.createTempFile(dir, "hostile", ".gguf");
        GgufEdits.copy(from, bad, meta, Map.of());
        refused(bad, mention);
    }

    private static void checkpoint(Path from, Map<String, Object> config, String mention) throws Exception {
        refused(editedCheckpoint(from, config), mention);
    }

    private static void refused(Path model, String mention) throws Exception {
        AllocationProbe.Measured used = AllocationProbe.measure(() -> {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> Model.load(model).close(), mention);
            assertMentions(e, mention);
        });
        assertTrue(used.heapBytes() < HEAP_LIMIT && used.peakRssGrowth() < RSS_LIMIT, mention + ": the refused load allocated " + used);
    }

    // A copy of a checkpoint directory with config.json's fields replaced.
    private static Path editedCheckpoint(Path from, Map<String, Object> config) throws Exception {
        Path to = Files.createTempDirectory(dir, "ckpt");
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> json = new LinkedHashMap<>((Map<String, Object>) Json.parse(Files.readString(from.resolve("config.json"))));
        json.putAll(config);
        Files.writeString(to.resolve("config.json"), JsonWriter.compact(json));
        return to;
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage() != null && e.getMessage().contains(p), "message should mention '" + p + "': " + e.getMessage());
    }
}
