package dev.vane.jinja;

import dev.vane.model.chat.ChatFormatProvider.SpecialTokenTexts;
import dev.vane.model.gguf.GgmlType;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.gguf.GgufTensor;
import dev.vane.model.json.Json;
import dev.vane.model.tokenizer.Vocabulary;
import dev.vane.tools.generate.ModelGenerator;
import dev.vane.tools.generate.ModelSpec;
import dev.vane.tools.gguf.GgufWriter;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Test helper: the real chat templates (fetched tokenizer_config.json files) and tiny GGUF models that carry them. */
final class TestModels {
    private TestModels() {}

    /** The chat_template of build/vocab-cache/name/tokenizer_config.json (ci/fetch-vocabularies.sh fetches them). */
    static String realTemplate(String name) throws IOException {
        String dir = System.getProperty("vane.vocab.dir");
        if (dir == null) throw new IllegalStateException("the system property vane.vocab.dir is not set (the parent pom sets it for surefire)");
        Path config = Path.of(dir, name, "tokenizer_config.json");
        if (!Files.isRegularFile(config)) throw new IllegalStateException(config + " is missing: run ci/fetch-vocabularies.sh");
        if (!(Json.parse(Files.readString(config)) instanceof Map<?, ?> m) || !(m.get("chat_template") instanceof String t)) {
            throw new IllegalStateException(config + " holds no chat_template string");
        }
        return t;
    }

    /**
     * A real Hugging Face template from llama.cpp's own copies (models/templates/fileName in the
     * llama.cpp sources ci/fetch-llama-cpp-source.sh clones), for families without an npm tokenizer
     * package here (gpt-oss, Mistral).
     */
    static String llamaCppTemplate(String fileName) throws IOException {
        Path file = Path.of(System.getProperty("vane.llama.cpp.templates", "../build/llama-cpp-native/src/models/templates"), fileName);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file.toAbsolutePath() + " is missing: run ci/fetch-llama-cpp-source.sh (it clones llama.cpp's sources)");
        }
        return Files.readString(file);
    }

    /** A tiny generated Llama-architecture model (for llama.cpp, which needs a model to render a template). */
    static Path tinyModel(Path dir) throws IOException {
        Path p = dir.resolve("tiny.gguf");
        if (!Files.exists(p)) ModelGenerator.writeGguf(ModelSpec.tinyLlama(GgmlType.F16), p);
        return p;
    }

    /** A copy of model with tokenizer.chat_template set to template. */
    static Path withTemplate(Path model, String template, Path to) throws IOException {
        GgufWriter w = new GgufWriter();
        try (GgufFile f = GgufFile.open(model)) {
            w.copyMetadata(f, key -> !key.equals("tokenizer.chat_template"));
            w.putString("tokenizer.chat_template", template);
            for (GgufTensor t : f.tensors()) w.addTensor(t.name(), t.type(), t.ne(), t.data().toArray(ValueLayout.JAVA_BYTE));
        }
        w.write(to);
        return to;
    }

    /** The texts of a model file's BOS and EOS tokens, as llama.cpp gives them to templates. */
    static SpecialTokenTexts specialTokens(Path model) throws IOException {
        try (GgufFile f = GgufFile.open(model)) {
            Vocabulary v = Vocabulary.fromGguf(f);
            return new SpecialTokenTexts(v.bos() >= 0 ? v.tokens().get(v.bos()) : "", v.eos() >= 0 ? v.tokens().get(v.eos()) : "");
        }
    }
}
