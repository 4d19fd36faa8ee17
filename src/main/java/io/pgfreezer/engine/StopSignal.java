package io.pgfreezer.engine;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Asks a run to stop between batches. A batch that has started always finishes (or fails)
 * first, so SIGTERM never leaves a half-deleted window behind.
 */
public final class StopSignal {
    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch latch = new CountDownLatch(1);

    public void request() {
        if (requested.compareAndSet(false, true)) {
            latch.countDown();
        }
    }

    public boolean requested() {
        return requested.get();
    }

    /** Sleeps up to {@code millis}; returns early (true) when a stop is requested. */
    public boolean awaitStop(long millis) throws InterruptedException {
        return latch.await(millis, TimeUnit.MILLISECONDS);
    }
}
