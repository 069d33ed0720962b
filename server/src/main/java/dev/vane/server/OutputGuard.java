package dev.vane.server;

import dev.vane.guard.Direction;
import dev.vane.guard.Emit;
import dev.vane.guard.StreamGuard;

/**
 * One generation's output through the policy's {@link StreamGuard}: each piece comes back as the
 * text safe to send now (redacted, or empty while a possible match is held); a BLOCK makes
 * {@link #stopped()} true, and the caller stops generating and sends {@link #message()} instead of
 * the rest. Without a policy every piece passes as it is. Used by one thread at a time.
 */
final class OutputGuard {
    private final StreamGuard stream;  // null: no policy
    private final ServerGuard meters;
    private String message;

    OutputGuard(StreamGuard stream, ServerGuard meters) {
        this.stream = stream;
        this.meters = meters;
    }

    /** The next piece of generated text; what may be sent of it now. */
    String accept(String piece) {
        if (stream == null || message != null) return message != null ? "" : piece;
        return take(stream.accept(piece));
    }

    /** The end of the generation: the held tail (or "" when a block completes there). */
    String finish() {
        if (stream == null || message != null) return "";
        return take(stream.finish());
    }

    boolean stopped() {
        return message != null;
    }

    /** The policy's block message once stopped. */
    String message() {
        return message;
    }

    private String take(Emit e) {
        meters.count(Direction.OUTPUT, e.findings());
        if (!e.stop()) return e.text();
        message = e.message();
        meters.blocked(Direction.OUTPUT, 1);
        return "";
    }
}
