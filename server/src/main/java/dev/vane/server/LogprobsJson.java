package dev.vane.server;

import dev.vane.model.GeneratedToken;
import dev.vane.model.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tokens' log probabilities in the two shapes OpenAI's endpoints answer with. */
final class LogprobsJson {
    private final Tokenizer tokenizer;

    LogprobsJson(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Chat completions: {"content": [{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}]}. */
    Map<String, Object> chat(List<GeneratedToken> tokens) {
        List<Object> content = new ArrayList<>();
        for (GeneratedToken t : tokens) {
            Map<String, Object> entry = entry(t.id(), t.logprob());
            List<Object> top = new ArrayList<>();
            for (GeneratedToken.TokenLogprob alt : t.topLogprobs()) top.add(entry(alt.id(), alt.logprob()));
            entry.put("top_logprobs", top);
            content.add(entry);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("content", content);
        out.put("refusal", null);
        return out;
    }

    /** Legacy completions: parallel lists of tokens, their log probabilities, the top alternatives and text offsets. */
    Map<String, Object> legacy(List<GeneratedToken> tokens, int textOffset) {
        List<String> texts = new ArrayList<>();
        List<Float> logprobs = new ArrayList<>();
        List<Map<String, Float>> tops = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int offset = textOffset;
        for (GeneratedToken t : tokens) {
            String text = text(t.id());
            texts.add(text);
            logprobs.add(t.logprob());
            Map<String, Float> top = new LinkedHashMap<>();
            for (GeneratedToken.TokenLogprob alt : t.topLogprobs()) top.putIfAbsent(text(alt.id()), alt.logprob());
            tops.add(top);
            offsets.add(offset);
            offset += t.text().length();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tokens", texts);
        out.put("token_logprobs", logprobs);
        out.put("top_logprobs", tops);
        out.put("text_offset", offsets);
        return out;
    }

    private Map<String, Object> entry(int id, float logprob) {
        byte[] bytes = tokenizer.tokenBytes(id);
        List<Integer> unsigned = new ArrayList<>(bytes.length);
        for (byte b : bytes) unsigned.add(b & 0xff);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("token", new String(bytes, StandardCharsets.UTF_8));
        e.put("logprob", logprob);
        e.put("bytes", unsigned);
        return e;
    }

    // A token's text; a piece of a UTF-8 character comes out as U+FFFD, as its bytes say exactly.
    private String text(int id) {
        return new String(tokenizer.tokenBytes(id), StandardCharsets.UTF_8);
    }
}
