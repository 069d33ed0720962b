package dev.vane.springai.guard;

import dev.vane.guard.Emit;
import dev.vane.guard.Policy;
import dev.vane.guard.StreamGuard;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.ai.chat.client.ChatClientResponse;
import reactor.core.publisher.Flux;

/**
 * One streamed reply through the policy's {@link StreamGuard}. Each chunk's text goes to the guard
 * and the chunk is passed on with what the guard released (redacted where a rule says so, possibly
 * empty). A chunk is passed on when the next arrives, so that the held tail released by
 * {@link StreamGuard#finish()} joins the last chunk, the one with the finish reason and usage,
 * rather than arriving after it. When a BLOCK rule fires, the text released so far goes out, then
 * the block message, and the subscription to the model is cancelled, which stops the generation.
 * Not thread-safe: Reactor delivers one chunk at a time.
 */
final class GuardedStream {
    private final StreamGuard guard;
    private ChatClientResponse held;
    private String heldText = "";
    private ChatClientResponse stop;

    GuardedStream(Policy policy) {
        this.guard = policy.streamOutput();
    }

    Flux<ChatClientResponse> apply(Flux<ChatClientResponse> upstream) {
        // takeUntil lets the block message through and then cancels upstream.
        return upstream.concatMapIterable(this::onChunk).takeUntil(r -> r == stop).concatWith(Flux.defer(this::onEnd));
    }

    private List<ChatClientResponse> onChunk(ChatClientResponse chunk) {
        if (stop != null) return List.of();
        Emit e = guard.accept(GuardedResponses.text(chunk));
        List<ChatClientResponse> out = new ArrayList<>(2);
        if (held != null) out.add(GuardedResponses.withText(held, heldText));
        if (e.stop()) {
            held = null;
            stop = GuardedResponses.blocked(chunk, chunk.context(), e.message(), e.findings());
            out.add(stop);
        } else {
            held = chunk;
            heldText = e.text();
        }
        return out;
    }

    private Flux<ChatClientResponse> onEnd() {
        if (stop != null) return Flux.empty();
        Emit e = guard.finish();
        if (e.stop()) {
            List<ChatClientResponse> out = new ArrayList<>(2);
            if (held != null) out.add(GuardedResponses.withText(held, heldText));
            out.add(GuardedResponses.blocked(held, held == null ? Map.of() : held.context(), e.message(), e.findings()));
            return Flux.fromIterable(out);
        }
        if (held == null) return Flux.empty();
        return Flux.just(GuardedResponses.withText(held, heldText + e.text()));
    }
}
