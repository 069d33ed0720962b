package dev.vane.springai.guard;

import dev.vane.guard.Action;
import dev.vane.guard.Finding;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;

/** Builds the responses VanePolicyAdvisor returns: a refusal in place of a reply, a reply with its text rewritten. */
final class GuardedResponses {
    /** The finish reason of a refused request or reply. */
    static final String FINISH_REASON = "CONTENT_FILTER";

    private GuardedResponses() {}

    /**
     * The policy's block message as the reply, its finish reason {@link #FINISH_REASON} and the
     * BLOCK rules that fired as its content filters; base (may be null) gives the context and the
     * response metadata (the usage of a reply that was generated and then refused).
     */
    static ChatClientResponse blocked(ChatClientResponse base, Map<String, Object> context, String message, List<Finding> findings) {
        ChatGenerationMetadata md = ChatGenerationMetadata.builder().finishReason(FINISH_REASON).contentFilters(blockingRules(findings)).build();
        Generation g = new Generation(new AssistantMessage(message), md);
        ChatResponse.Builder r = ChatResponse.builder().generations(List.of(g));
        ChatResponseMetadata responseMetadata = base == null || base.chatResponse() == null ? null : base.chatResponse().getMetadata();
        if (responseMetadata != null) r.metadata(responseMetadata);
        List<Finding> blocking = findings.stream().filter(f -> f.action() == Action.BLOCK).toList();
        return ChatClientResponse.builder().chatResponse(r.build()).context(context).context(VanePolicyAdvisor.BLOCKED, blocking).build();
    }

    /** The BLOCK rules among the findings, each once, in order. */
    static Set<String> blockingRules(List<Finding> findings) {
        Set<String> rules = new LinkedHashSet<>();
        for (Finding f : findings) if (f.action() == Action.BLOCK) rules.add(f.rule());
        return rules;
    }

    /** The text of a response's first generation, "" when it has none (a chunk of metadata only). */
    static String text(ChatClientResponse response) {
        ChatResponse r = response.chatResponse();
        if (r == null || r.getResult() == null || r.getResult().getOutput() == null) return "";
        String t = r.getResult().getOutput().getText();
        return t == null ? "" : t;
    }

    /** The response with its first generation's text replaced (tool calls, media and metadata kept). */
    static ChatClientResponse withText(ChatClientResponse response, String text) {
        ChatResponse r = response.chatResponse();
        if (r == null || r.getResult() == null) {
            if (text.isEmpty()) return response;
            return response.mutate().chatResponse(new ChatResponse(List.of(new Generation(new AssistantMessage(text))))).build();
        }
        List<Generation> generations = new ArrayList<>(r.getResults());
        generations.set(0, withText(generations.get(0), text));
        return response.mutate().chatResponse(ChatResponse.builder().from(r).generations(generations).build()).build();
    }

    static Generation withText(Generation g, String text) {
        AssistantMessage out = g.getOutput();
        AssistantMessage rewritten = AssistantMessage.builder().content(text).properties(out.getMetadata()).toolCalls(out.getToolCalls())
                .media(out.getMedia()).build();
        return new Generation(rewritten, g.getMetadata());
    }
}
