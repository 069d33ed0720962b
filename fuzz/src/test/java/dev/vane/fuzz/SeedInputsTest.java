package dev.vane.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.jinja.JinjaChatFormat;
import dev.vane.model.chat.ChatFormatProvider.SpecialTokenTexts;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.gguf.GgufFile;
import dev.vane.model.json.Json;
import dev.vane.model.json.JsonException;
import dev.vane.model.safetensors.SafetensorsFile;
import dev.vane.model.tokenizer.HfTokenizerJson;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed inputs are what they claim: each seed (a file not named crash-*) is a valid file
 * the parser reads, so the fuzzers start from real structure; each crash-* input is refused with
 * the parser's own exception now that its bug is fixed.
 */
class SeedInputsTest {
    private static List<Path> inputs(String dir, boolean crashes) throws IOException, URISyntaxException {
        Path p = Path.of(SeedInputsTest.class.getResource(dir).toURI());
        try (Stream<Path> s = Files.list(p)) {
            List<Path> out = s.filter(f -> f.getFileName().toString().startsWith("crash-") == crashes).sorted().toList();
            if (!crashes) assertFalse(out.isEmpty(), "no seeds in " + dir);
            return out;
        }
    }

    @Test
    void ggufSeedsOpen() throws Exception {
        for (Path f : inputs("GgufReaderFuzzTestInputs/open", false)) {
            try (GgufFile g = GgufFile.open(f)) {
                assertFalse(g.tensors().isEmpty(), f + " has no tensors");
            }
        }
    }

    @Test
    void safetensorsSeedsOpen() throws Exception {
        for (Path f : inputs("SafetensorsHeaderFuzzTestInputs/open", false)) {
            try (SafetensorsFile s = SafetensorsFile.open(f)) {
                assertFalse(s.tensors().isEmpty(), f + " has no tensors");
            }
        }
    }

    @Test
    void jsonSeedsParseAndCrashesAreRefused() throws Exception {
        for (Path f : inputs("JsonFuzzTestInputs/parse", false)) Json.parse(Files.readString(f));
        for (Path f : inputs("JsonFuzzTestInputs/parse", true)) {
            String text = Files.readString(f);
            assertThrows(JsonException.class, () -> Json.parse(text), f.toString());
        }
    }

    @Test
    void tokenizerSeedsParseAndCrashesAreRefused() throws Exception {
        for (Path f : inputs("TokenizerJsonFuzzTestInputs/parse", false)) {
            String[] parts = Files.readString(f).split("\0", 2);
            assertTrue(HfTokenizerJson.parse(parts[0], parts.length > 1 ? parts[1] : null).size() >= 256, f.toString());
        }
        for (Path f : inputs("TokenizerJsonFuzzTestInputs/parse", true)) {
            String text = Files.readString(f);
            assertThrows(IllegalArgumentException.class, () -> HfTokenizerJson.parse(text, null), f.toString());
        }
    }

    @Test
    void templateSeedsRender() throws Exception {
        for (Path f : inputs("ChatTemplateSourceFuzzTestInputs/template", false)) {
            String out = new JinjaChatFormat(Files.readString(f, StandardCharsets.UTF_8), new SpecialTokenTexts("<s>", "</s>"))
                    .renderText(List.of(ChatMessage.user("Hi")), List.of(), true);
            assertTrue(out.contains("Hi"), f + " rendered " + out);
        }
    }
}
