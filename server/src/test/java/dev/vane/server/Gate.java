package dev.vane.server;

import dev.vane.guard.Action;
import dev.vane.guard.Detector;
import dev.vane.guard.Direction;
import dev.vane.guard.Match;
import dev.vane.guard.Policy;
import dev.vane.guard.Rule;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test's hold on a running generation, through the server's policy hook: an output rule whose
 * detector lets every piece through, but stops the generation at its second piece until the test
 * opens the gate. The first piece has then reached the client and the generation surely still
 * runs, however fast the machine, so a test can act on it (leave, fill the queue, shut down)
 * without racing the model. Closing opens it.
 */
final class Gate implements Detector, AutoCloseable {
    private static final long MAX_WAIT_SECONDS = 60;  // a test that never opens the gate fails, it does not hang

    private final CountDownLatch open = new CountDownLatch(1);
    private final AtomicInteger pieces = new AtomicInteger();

    /** options guarded by a policy whose only rule is this gate. */
    ServerOptions holding(ServerOptions options) {
        Policy policy = Policy.builder().rule(Rule.of("gate", this, Action.ALLOW).on(Direction.OUTPUT)).build();
        return options.withPolicy(policy, PolicyBlock.REFUSAL);
    }

    void open() {
        open.countDown();
    }

    @Override
    public void close() {
        open();
    }

    @Override
    public String name() {
        return "gate";
    }

    @Override
    public int maxLength() {
        return 1;
    }

    @Override
    public List<Match> find(CharSequence text, int from) {
        if (pieces.incrementAndGet() > 1) {
            try {
                if (!open.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS)) throw new IllegalStateException("the test never opened the gate");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted at the gate", e);
            }
        }
        return List.of();
    }

    @Override
    public int holdFrom(CharSequence text, int from) {
        return text.length();  // nothing held: each piece goes out as it comes
    }
}
