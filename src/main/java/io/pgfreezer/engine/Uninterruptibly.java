package io.pgfreezer.engine;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Waiting for work that cannot be taken back once started (a manifest save sent to storage, a
 * DELETE running in its backend): the caller must learn how it ended before it goes on, so an
 * interrupt is remembered and restored afterwards instead of abandoning the wait.
 */
final class Uninterruptibly {
    private Uninterruptibly() {
    }

    /** The task's result; what stopped it is rethrown as it was thrown. */
    static <T> T await(Future<T> f, String what) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (CancellationException e) {
            throw new IllegalStateException(what + " was cancelled", e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
