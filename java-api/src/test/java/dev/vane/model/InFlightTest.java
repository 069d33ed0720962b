package dev.vane.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The gate between a model's passes and its close: close waits for every pass that entered,
 * refuses new ones with the model's message, and a refused enter leaves no count behind.
 */
class InFlightTest {
    @Test
    void closeWaitsForThePassesRunningThenRefusesNewOnes() throws Exception {
        InFlight gate = new InFlight();
        gate.enter();
        gate.enter();  // two passes, as two sessions' threads
        assertEquals(2, gate.running());
        CountDownLatch closed = new CountDownLatch(1);
        Thread closer = new Thread(() -> {
            gate.close();
            closed.countDown();
        });
        closer.start();
        // close has marked the gate before it waits: a new pass is refused while the two still run
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!gate.closed() && System.nanoTime() < end) Thread.onSpinWait();
        assertTrue(gate.closed(), "close() did not mark the gate");
        IllegalStateException e = assertThrows(IllegalStateException.class, gate::enter);
        assertEquals("the model is closed", e.getMessage());
        assertEquals(2, gate.running(), "a refused enter must not stay counted");
        assertFalse(closed.await(200, TimeUnit.MILLISECONDS), "close() returned while two passes ran");
        gate.exit();
        assertFalse(closed.await(200, TimeUnit.MILLISECONDS), "close() returned while a pass ran");
        gate.exit();
        assertTrue(closed.await(10, TimeUnit.SECONDS), "close() did not return after the last pass ended");
        closer.join();
        assertEquals(0, gate.running());
    }

    @Test
    void closeWithNothingRunningReturnsAtOnceAndAnInterruptSurvivesIt() {
        InFlight gate = new InFlight();
        gate.enter();
        gate.exit();
        Thread.currentThread().interrupt();
        gate.close();
        assertTrue(Thread.interrupted(), "close() swallowed the caller's interrupt");
        assertThrows(IllegalStateException.class, gate::enter);
    }

    @Test
    void manyThreadsEnteringWhileItClosesNeverRunAPassAfterCloseReturned() throws Exception {
        // Each pass checks, while it is inside, that close() has not returned: the guarantee that
        // the weights are still there. Seeded only by scheduling; it must hold on every run.
        for (int round = 0; round < 20; round++) {
            InFlight gate = new InFlight();
            AtomicInteger violations = new AtomicInteger(), passes = new AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean freed = new java.util.concurrent.atomic.AtomicBoolean();
            CountDownLatch start = new CountDownLatch(1);
            Thread[] workers = new Thread[4];
            for (int t = 0; t < workers.length; t++) {
                workers[t] = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    while (true) {
                        try {
                            gate.enter();
                        } catch (IllegalStateException refused) {
                            return;
                        }
                        try {
                            if (freed.get()) violations.incrementAndGet();
                            passes.incrementAndGet();
                            Thread.onSpinWait();
                            if (freed.get()) violations.incrementAndGet();
                        } finally {
                            gate.exit();
                        }
                    }
                });
                workers[t].start();
            }
            start.countDown();
            while (passes.get() < 100) Thread.onSpinWait();
            gate.close();
            freed.set(true);  // what Model.close() does next: free the weights
            for (Thread w : workers) w.join(10_000);
            assertEquals(0, violations.get(), "a pass ran on freed weights in round " + round);
            assertEquals(0, gate.running());
        }
    }
}
