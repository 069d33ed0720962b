package dev.vane.bench.soak;

import dev.vane.model.ModelObserver;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the soak counts, from every thread: generations by how they ended, sessions, scheduler
 * closes, and (as the model's observer) the forward passes, which are the soak's "calls": one
 * pass of the weights, a decode step (one token of each sequence stepped together) or a
 * prompt chunk. Failures are kept as messages; the run fails if there is any.
 */
final class SoakCounters implements ModelObserver {
    final LongAdder generations = new LongAdder();    // generate calls started (session, batch row or scheduler request)
    final LongAdder compared = new LongAdder();       // ran to maxTokens and equal to the single-threaded run
    final LongAdder cancelled = new LongAdder();      // stopped by a listener's false or Ticket.cancel, the tokens so far equal
    final LongAdder sessionCloses = new LongAdder();  // sessions closed from their own listener mid-generation
    final LongAdder schedulerCloses = new LongAdder();  // shared schedulers closed while requests ran
    final LongAdder droppedByClose = new LongAdder();   // requests a scheduler's close cancelled or refused
    final LongAdder sessions = new LongAdder();       // sessions opened
    final LongAdder batches = new LongAdder();        // batch generate calls
    final LongAdder tokens = new LongAdder();         // tokens streamed to listeners
    final LongAdder decodeSteps = new LongAdder(), prefillChunks = new LongAdder();
    private final AtomicLong failureCount = new AtomicLong();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private static final int KEPT = 20;

    @Override
    public void decodeStep(DecodeStep step) {
        decodeSteps.increment();
    }

    @Override
    public void prefillChunk(PrefillChunk chunk) {
        prefillChunks.increment();
    }

    /** Forward passes so far: the soak's calls. */
    long calls() {
        return decodeSteps.sum() + prefillChunks.sum();
    }

    void fail(String what) {
        if (failureCount.incrementAndGet() <= KEPT) failures.add(what);
    }

    long failureCount() {
        return failureCount.get();
    }

    /** The first failures (at most 20). */
    List<String> failures() {
        return List.copyOf(failures);
    }
}
