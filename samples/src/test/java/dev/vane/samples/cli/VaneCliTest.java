package dev.vane.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.Vane;
import dev.vane.quant.QuantFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VaneCliTest {
    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int exit = VaneCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void infoPrintsVersionLocationVariantAndThreads() {
        Run r = run("info");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Vane " + Vane.version()), r.out());
        assertTrue(r.out().contains("library   " + Vane.libraryPath()), r.out());
        assertTrue(r.out().contains("kernels   " + Vane.cpu().active().name().toLowerCase()), r.out());
        assertTrue(r.out().contains("threads   " + Vane.threads()), r.out());
    }

    @Test
    void quantDemoListsEveryFormat() {
        Run r = run("quant-demo", "16", "256");
        assertEquals(0, r.exit(), r.err());
        for (QuantFormat f : QuantFormat.values()) assertTrue(r.out().contains(f.formatName() + " "), f + " missing:\n" + r.out());
        assertTrue(r.out().contains("q4_0                0.5625"), r.out());
    }

    @Test
    void sampleAppsRun() {
        Run r = run("moe-demo", "16");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("tokens per expert: [") && r.out().contains("MoE/dense = "), r.out());
        r = run("attention-demo");
        assertEquals(0, r.exit(), r.err());
        // Each text query's attention lands mostly on the image row it asks for.
        java.util.List<String> rows = r.out().lines().filter(l -> l.matches("\\s+\\d+\\s+\\d+\\s+[0-9.]+\\s+\\d+")).toList();
        assertEquals(6, rows.size(), r.out());
        for (String line : rows) {
            String[] f = line.trim().split("\\s+");
            assertEquals(f[1], f[3], "query " + f[0] + ": " + line);
        }
        r = run("streaming-demo", "1500");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("     1500              1028          257"), "1500 tokens keep 4 sinks + the last 1024:\n" + r.out());
        r = run("streaming-demo", "0");
        assertEquals(2, r.exit());
    }

    @Test
    void infoOfAModelFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Path p = dir.resolve("m.gguf");
        new dev.vane.tools.gguf.GgufWriter().putString("general.architecture", "llama").putUint32("llama.block_count", 2)
                .addTensor("blk.0.attn_q.weight", dev.vane.model.gguf.GgmlType.F32, new long[] {32, 2}, new byte[256]).write(p);
        Run r = run("info", p.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("GGUF v3, 2 metadata entries, 1 tensors") && r.out().contains("blk.0.attn_q.weight")
                && r.out().contains("[32, 2]") && r.out().contains("general.architecture"), r.out());
        java.nio.file.Path junk = dir.resolve("junk.bin");
        java.nio.file.Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        r = run("info", junk.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("header length"), r.err());
        assertEquals(2, run("info", dir.resolve("missing").toString()).exit());
    }

    @Test
    void badUsageExitsWithTwoAndSaysWhy() {
        Run r = run("frobnicate");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("'frobnicate'") && r.err().contains("Usage: vane"), r.err());
        r = run("quant-demo", "16", "100");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("cols must be a multiple of 128"), r.err());
        r = run("quant-demo", "-3");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("rows must be a positive integer"), r.err());
    }

    @Test
    void quantizeAModelInLlamaCppsMixInspectAndRunIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String in = dir.resolve("tiny.gguf").toString(), out = dir.resolve("tiny-q4km.gguf").toString();
        assertEquals(0, run("generate-model", "--out", in, "--weights", "f32").exit());
        Run r = run("quantize", in, out, "--type", "Q4_K_M");
        assertEquals(0, r.exit(), r.err());
        // d 128: rows too short for Q4_K's 256-column blocks fall back as llama.cpp's quantizer does.
        assertTrue(r.out().contains("wrote " + out + " (Q4_K_M)") && r.out().contains("Q5_0=") && r.out().contains("F32="), r.out());
        r = run("info", out);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("general.file_type") && r.out().matches("(?s).*\\ntypes: \\d+ F32, \\d+ Q5_0, .*"), r.out());
        r = run("run", "--model", out, "--prompt", "the old man", "--max-tokens", "4", "--temperature", "0", "--ignore-eos");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("4 generated"), r.err());
        r = run("quantize", in, out, "--type", "Q9_X");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown file type 'Q9_X'") && r.err().contains("Q4_K_M"), r.err());
        r = run("quantize", in, in, "--type", "Q8_0");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("another file"), r.err());
    }

    @Test
    void everyFamilyGeneratesAndRuns(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        for (String family : new String[] {"llama", "qwen2", "qwen3", "qwen2moe", "qwen3moe", "gemma2", "gemma3", "phi3", "gpt-oss"}) {
            String file = dir.resolve(family + ".gguf").toString();
            Run r = run("generate-model", "--family", family, "--out", file, "--weights", "q8_0");
            assertEquals(0, r.exit(), family + ": " + r.err());
            r = run("run", "--model", file, "--prompt", "the old man", "--max-tokens", "4", "--temperature", "0", "--ignore-eos");
            assertEquals(0, r.exit(), family + ": " + r.err());
            assertTrue(r.out().startsWith("the old man") && r.err().contains("4 generated (max_tokens)"), family + ": " + r.out() + " / " + r.err());
        }
        // A Hugging Face checkpoint directory of a Qwen model streams the same text as its GGUF.
        String ckpt = dir.resolve("qwen3-hf").toString(), gguf = dir.resolve("qwen3-f32.gguf").toString();
        Run r = run("generate-model", "--family", "qwen3", "--checkpoint", "--weights", "f32", "--out", ckpt);
        assertEquals(0, r.exit(), r.err());
        assertTrue(java.nio.file.Files.isRegularFile(dir.resolve("qwen3-hf").resolve("config.json")), r.out());
        assertEquals(0, run("generate-model", "--family", "qwen3", "--weights", "f32", "--out", gguf).exit());
        Run fromCkpt = run("run", "--model", ckpt, "--prompt", "the old man", "--max-tokens", "6", "--temperature", "0", "--ignore-eos");
        assertEquals(0, fromCkpt.exit(), fromCkpt.err());
        Run fromGguf = run("run", "--model", gguf, "--prompt", "the old man", "--max-tokens", "6", "--temperature", "0", "--ignore-eos");
        assertEquals(fromGguf.out(), fromCkpt.out(), "checkpoint and GGUF stream the same text");
        r = run("generate-model", "--family", "gemma2", "--checkpoint", "--weights", "f32", "--out", dir.resolve("g").toString());
        assertTrue(r.exit() != 0 && r.err().contains("Qwen families"), r.err());
    }

    @Test
    void generateAModelAndRunIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String file = dir.resolve("tiny.gguf").toString();
        Run r = run("generate-model", "--out", file, "--weights", "q8_0", "--moe");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("wrote " + file), r.out());
        r = run("run", "--model", file, "--prompt", "the old man", "--max-tokens", "6", "--temperature", "0", "--ignore-eos", "--threads", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("the old man") && r.out().length() > "the old man".length() + 1, r.out());
        assertTrue(r.err().contains("7 prompt tokens, 6 generated (max_tokens)") && r.err().contains("4 experts, 2 per token"), r.err());
        Run same = run("run", "--model", file, "--prompt", "the old man", "--max-tokens", "6", "--temperature", "0", "--ignore-eos");
        assertEquals(r.out(), same.out(), "greedy runs repeat");
        Run sampled = run("run", "--model", file, "--prompt", "the old man", "--max-tokens", "6", "--seed", "7", "--ignore-eos");
        assertEquals(sampled.out(), run("run", "--model", file, "--prompt", "the old man", "--max-tokens", "6", "--seed", "7", "--ignore-eos").out(),
                "one seed, one text");

        java.nio.file.Path text = dir.resolve("text.txt");
        try {
            java.nio.file.Files.writeString(text, "the old man said hello to the world, and the world was still. ".repeat(20));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        r = run("eval", "perplexity", "--model", file, "--text", text.toString(), "--context", "32");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("(?s)tiny\\.gguf weights as-is: perplexity [0-9.]+ \\(mean NLL [0-9.]+ nats over \\d+ tokens, \\d+ chunks of 32\\).*"), r.out());
        r = run("eval", "perplexity", "--model", file, "--text", dir.resolve("nope.txt").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("no such text file"), r.err());
        r = run("run", "--model", file, "--weights", "int3");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown weight format 'int3'"), r.err());
        r = run("run", "--model", dir.resolve("missing.gguf").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("missing.gguf"), r.err());
        r = run("run", "--model");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--model"), r.err());
        r = run("generate-model", "--out", file, "--size", "huge");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--size must be tiny or 0.5b"), r.err());
    }

    @Test
    void serveRefusesABadPolicyWithTheLoadersMessage(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path bad = dir.resolve("policy.yaml");
        java.nio.file.Files.writeString(bad, "rules:\n  - name: profanity\n    detector: swearing\n    action: block\n");
        String want = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> dev.vane.guard.PolicyLoader.load(bad)).getMessage();
        assertTrue(want.contains("line 3") && want.contains("swearing"), want);
        Run r = run("serve", "--port", "0", "--policy", bad.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("vane: " + want), r.err());
        assertTrue(!r.err().contains("on http://"), "the server never started: " + r.err());

        r = run("serve", "--port", "0", "--policy", dir.resolve("missing.yaml").toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("cannot read policy file") && r.err().contains("missing.yaml"), r.err());
        r = run("serve", "--port", "0", "--policy", bad.toString(), "--policy-block", "silence");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("must be 'error' or 'refusal', got 'silence'"), r.err());
        r = run("serve", "--port", "0", "--policy-block", "refusal");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--policy-block needs --policy FILE"), r.err());
    }

    @Test
    void runWithoutArgumentsStreamsTheEmbeddedModel() {
        Run r = run("run", "--max-tokens", "24", "--temperature", "0");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("And God said") && r.out().length() > "And God said".length() + 20, r.out());
        assertTrue(r.err().contains("from the embedded model") && r.err().contains("4 experts, 2 per token") && r.err().contains("decode"), r.err());
        assertEquals(0, run("run").exit(), "no arguments at all: the README's main command");
    }
}
