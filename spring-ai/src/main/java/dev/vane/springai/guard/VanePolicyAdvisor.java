package dev.vane.springai.guard;

import dev.vane.guard.Policy;
import dev.vane.guard.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.Advisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisor;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import reactor.core.publisher.Flux;

/**
 * A vane-guard {@link Policy} as a Spring AI ChatClient advisor, for calls and streams.
 *
 * <p>Input: every user message of the prompt goes through {@link Policy#checkInput}. BLOCK answers
 * with the policy's block message without calling the model; REDACT passes the prompt on with the
 * redacted text. Output: a call's whole reply goes through {@link Policy#checkOutput} (BLOCK
 * replaces the reply with the block message, REDACT rewrites it); a stream goes chunk by chunk
 * through a {@link dev.vane.guard.StreamGuard}, so redaction works on the stream and a BLOCK rule
 * ends it with the block message at once, cancelling the generation. A refusal's generation has
 * the finish reason {@code CONTENT_FILTER} and the BLOCK rules as its content filters, and the
 * response context holds the blocking findings under {@link #BLOCKED}.
 *
 * <p>The default order ({@link #DEFAULT_ORDER}) runs it before the chat memory advisors, so a
 * refused prompt never enters the memory and a redacted one enters it redacted. Thread-safe.
 */
public final class VanePolicyAdvisor implements CallAdvisor, StreamAdvisor {
    /** Context key of the BLOCK findings (a {@code List<Finding>}) on a refused request or reply. */
    public static final String BLOCKED = "vane.guard.blocked";
    /** Just before the chat memory advisors. */
    public static final int DEFAULT_ORDER = Advisor.DEFAULT_CHAT_MEMORY_PRECEDENCE_ORDER - 100;

    private final Policy policy;
    private final int order;

    private VanePolicyAdvisor(Builder b) {
        this.policy = Objects.requireNonNull(b.policy, "policy must not be null: VanePolicyAdvisor.builder().policy(...)");
        this.order = b.order;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Policy policy() {
        return policy;
    }

    @Override
    public String getName() {
        return "VanePolicyAdvisor";
    }

    @Override
    public int getOrder() {
        return order;
    }

    @Override
    public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
        Input in = checkInput(request);
        if (in.blocked() != null) return GuardedResponses.blocked(null, request.context(), in.blocked().text(), in.blocked().findings());
        ChatClientResponse response = chain.nextCall(in.request());
        return checkOutput(response);
    }

    @Override
    public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
        return Flux.defer(() -> {
            Input in = checkInput(request);
            if (in.blocked() != null) {
                return Flux.just(GuardedResponses.blocked(null, request.context(), in.blocked().text(), in.blocked().findings()));
            }
            return new GuardedStream(policy).apply(chain.nextStream(in.request()));
        });
    }

    /** The request to pass on (user messages redacted), or the verdict that blocks it. */
    private record Input(ChatClientRequest request, Verdict blocked) {}

    private Input checkInput(ChatClientRequest request) {
        List<Message> messages = request.prompt().getInstructions();
        List<Message> checked = new ArrayList<>(messages.size());
        boolean changed = false;
        for (Message m : messages) {
            if (m instanceof UserMessage u && u.getText() != null) {
                Verdict v = policy.checkInput(u.getText());
                if (v.blocked()) return new Input(null, v);
                if (v.redacted()) {
                    checked.add(u.mutate().text(v.text()).build());
                    changed = true;
                    continue;
                }
            }
            checked.add(m);
        }
        if (!changed) return new Input(request, null);
        return new Input(request.mutate().prompt(request.prompt().mutate().messages(checked).build()).build(), null);
    }

    private ChatClientResponse checkOutput(ChatClientResponse response) {
        ChatResponse r = response.chatResponse();
        if (r == null || r.getResults() == null) return response;
        List<Generation> generations = new ArrayList<>(r.getResults().size());
        boolean changed = false;
        for (Generation g : r.getResults()) {
            String text = g.getOutput() == null ? null : g.getOutput().getText();
            if (text == null || text.isEmpty()) {
                generations.add(g);
                continue;
            }
            Verdict v = policy.checkOutput(text);
            if (v.blocked()) return GuardedResponses.blocked(response, response.context(), v.text(), v.findings());
            if (v.redacted()) {
                generations.add(GuardedResponses.withText(g, v.text()));
                changed = true;
            } else {
                generations.add(g);
            }
        }
        if (!changed) return response;
        return response.mutate().chatResponse(ChatResponse.builder().from(r).generations(generations).build()).build();
    }

    /** Builds a {@link VanePolicyAdvisor}. */
    public static final class Builder {
        private Policy policy;
        private int order = DEFAULT_ORDER;

        private Builder() {}

        /** The policy to apply (required). */
        public Builder policy(Policy policy) {
            this.policy = policy;
            return this;
        }

        /** Where it runs among the advisors (default {@link #DEFAULT_ORDER}; lower runs first). */
        public Builder order(int order) {
            this.order = order;
            return this;
        }

        public VanePolicyAdvisor build() {
            return new VanePolicyAdvisor(this);
        }
    }
}
