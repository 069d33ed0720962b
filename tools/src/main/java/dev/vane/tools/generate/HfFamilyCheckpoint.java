package dev.vane.tools.generate;

import dev.vane.model.Architecture;
import dev.vane.model.CheckpointNames;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.gguf.GgufTensor;
import dev.vane.model.safetensors.SafetensorsFile.Dtype;
import dev.vane.tools.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a Hugging Face checkpoint directory (config.json, tokenizer.json, model.safetensors) of
 * a Qwen family model holding exactly the weights {@link FamilyGenerator} writes for the same
 * spec, under transformers' names ({@link CheckpointNames}); stacked experts become one tensor
 * per expert. Qwen checkpoints and GGUF files share Q/K row order (NeoX RoPE), so the two must
 * give the same logits. Weights F32 (the spec's weights must be F32).
 */
public final class HfFamilyCheckpoint {
    private HfFamilyCheckpoint() {}

    public static void write(FamilySpec spec, Path dir) throws IOException {
        String cls = switch (spec.family()) {
            case QWEN2 -> "Qwen2ForCausalLM";
            case QWEN3 -> "Qwen3ForCausalLM";
            case QWEN2MOE -> "Qwen2MoeForCausalLM";
            case QWEN3MOE -> "Qwen3MoeForCausalLM";
            default -> throw new IllegalArgumentException("checkpoints are written for the Qwen families, not " + spec.family());
        };
        if (spec.weights() != GgmlType.F32 || spec.expertWeights() != GgmlType.F32) throw new IllegalArgumentException("checkpoints are written from F32 weights");
        Files.createDirectories(dir);
        Path gguf = Files.createTempFile("vane-family", ".gguf");
        try {
            FamilyGenerator.writeGguf(spec, gguf);
            boolean tied;
            try (GgufFile f = GgufFile.open(gguf)) {
                SafetensorsWriter w = new SafetensorsWriter(Map.of("format", "pt"));
                for (GgufTensor t : f.tensors()) add(w, t);
                tied = f.tensors().stream().noneMatch(t -> t.name().equals("output.weight"));
                w.write(dir.resolve("model.safetensors"));
            }
            Files.writeString(dir.resolve("config.json"), config(spec, cls, tied));
        } finally {
            Files.deleteIfExists(gguf);
        }
        SyntheticVocab vocab = SyntheticVocab.bpe(spec.vocab(), spec.seed());
        Files.writeString(dir.resolve("tokenizer.json"), HfCheckpointGenerator.tokenizerJson(vocab, "qwen2"));
    }

    // A GGUF tensor under its checkpoint name(s): shape outermost first, one tensor per expert of a 3-D one.
    private static void add(SafetensorsWriter w, GgufTensor t) {
        long[] ne = t.ne();
        int experts = ne.length == 3 ? (int) ne[2] : 1;
        long[] shape = ne.length == 1 ? new long[] {ne[0]} : new long[] {ne[1], ne[0]};
        if (t.name().endsWith("ffn_gate_inp_shexp.weight")) shape = new long[] {1, ne[0]};  // transformers' [1, dim] Linear
        long bytes = t.data().byteSize() / experts;
        for (int e = 0; e < experts; e++) {
            String name = CheckpointNames.of(t.name(), e);
            if (name == null) throw new IllegalArgumentException("tensor '" + t.name() + "' has no checkpoint name");
            byte[] data = t.data().asSlice(e * bytes, bytes).toArray(ValueLayout.JAVA_BYTE);
            w.add(name, Dtype.F32, shape, data);
        }
    }

    private static String config(FamilySpec s, String cls, boolean tied) {
        StringBuilder j = new StringBuilder("{\n");
        j.append(String.format(Locale.ROOT, "  \"architectures\": [\"%s\"],\n  \"hidden_size\": %d,\n  \"num_hidden_layers\": %d,\n", cls, s.dim(), s.layers()));
        j.append(String.format(Locale.ROOT, "  \"num_attention_heads\": %d,\n  \"num_key_value_heads\": %d,\n  \"head_dim\": %d,\n", s.heads(), s.kvHeads(),
                s.headDim()));
        j.append(String.format(Locale.ROOT, "  \"intermediate_size\": %d,\n  \"vocab_size\": %d,\n  \"max_position_embeddings\": %d,\n", s.ffnDim(), s.vocab(),
                s.contextLength()));
        j.append(String.format(Locale.ROOT, "  \"rms_norm_eps\": 1e-06,\n  \"rope_theta\": %s,\n  \"tie_word_embeddings\": %s", Float.toString(s.ropeBase()), tied));
        if (s.experts() > 0) {
            j.append(String.format(Locale.ROOT, ",\n  \"num_experts\": %d,\n  \"num_experts_per_tok\": %d,\n  \"moe_intermediate_size\": %d,\n  \"norm_topk_prob\": %s",
                    s.experts(), s.expertsUsed(), s.expertFfnDim(), s.family() == Architecture.QWEN3MOE));
            if (s.sharedFfnDim() > 0) j.append(",\n  \"shared_expert_intermediate_size\": ").append(s.sharedFfnDim());
        }
        if (s.ropeScaling().equals("yarn")) {
            j.append(String.format(Locale.ROOT, ",\n  \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": %s, \"original_max_position_embeddings\": %d}",
                    Float.toString(s.ropeFactor()), s.origContext()));
        }
        return j.append("\n}\n").toString();
    }
}
