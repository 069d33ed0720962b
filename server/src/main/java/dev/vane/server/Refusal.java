package dev.vane.server;

import dev.vane.model.GenerationResult;
import java.util.List;

/**
 * The reply to a request whose input the guard policy blocked, under {@link PolicyBlock#REFUSAL}:
 * no generation, the block message as the whole content, finish_reason "content_filter", usage
 * with the prompt's tokens and none generated.
 */
final class Refusal implements Reply {
    private final End end;
    private boolean ended;

    Refusal(String message, int promptTokens) {
        GenerationResult result = new GenerationResult(message, new int[0], GenerationResult.StopReason.CANCELLED, promptTokens, 0, 0, 0);
        this.end = new End(new Piece(message, List.of()), result, ServerGuard.CONTENT_FILTER);
    }

    @Override
    public Piece next() {
        ended = true;
        return null;
    }

    @Override
    public End end() {
        if (!ended) throw new IllegalStateException("the reply has not ended");
        return end;
    }

    @Override
    public void close() {}
}
