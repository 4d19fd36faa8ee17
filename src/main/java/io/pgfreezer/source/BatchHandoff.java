package io.pgfreezer.source;

import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.MDC;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the sink on a thread of its own, in order, so that encoding batches (Parquet,
 * compression, the upload) overlaps with reading and decoding the next ones from PostgreSQL.
 * The exporter fills a ring of batches: {@link #reuse} waits until the sink is done with the
 * batch in a slot before the exporter refills it, so a batch the sink still reads is never
 * overwritten. Several batches in the ring, not two, let the exporter run ahead while the
 * writer's thread waits for a core, as it does on a busy machine. A failure of the sink comes
 * back, as it was thrown, from the next {@link #reuse} or {@link #drain}. Used by one
 * exporting thread.
 */
final class BatchHandoff implements AutoCloseable {
    private final BatchSink sink;
    private final ExecutorService thread;
    private final Future<?>[] slots;
    /** The sink's first failure; the batches after it are not handed to the sink at all. */
    private volatile Throwable failure;

    BatchHandoff(BatchSink sink, String table, int slots) {
        this.sink = sink;
        this.slots = new Future<?>[slots];
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "export-writer " + table);
            t.setDaemon(true);
            return t;
        });
    }

    /** Hands the batch in {@code slot} to the sink; it stays the sink's until {@link #reuse}. */
    void submit(int slot, VectorSchemaRoot batch) {
        if (slots[slot] != null) {
            throw new IllegalStateException("batch slot " + slot + " is still with the writer");
        }
        // Log lines of the sink keep naming the table and batch they belong to.
        Map<String, String> context = MDC.getCopyOfContextMap();
        slots[slot] = thread.submit(() -> {
            if (context != null) {
                MDC.setContextMap(context);
            }
            try {
                if (failure == null) {
                    sink.accept(batch);
                }
            } catch (RuntimeException | Error e) {
                failure = e;
            } finally {
                MDC.clear();
            }
        });
    }

    /** Waits until the sink is done with the batch in {@code slot}; rethrows its failure. */
    void reuse(int slot) {
        Future<?> task = slots[slot];
        if (task == null) {
            return;
        }
        slots[slot] = null;
        try {
            awaitUninterruptibly(task);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the export's writer failed", e.getCause());
        }
        Throwable first = failure;
        if (first instanceof RuntimeException) {
            throw (RuntimeException) first;
        }
        if (first instanceof Error) {
            throw (Error) first;
        }
    }

    /**
     * Waits until the sink has taken every batch handed over; rethrows its first failure.
     */
    void drain() {
        for (int slot = 0; slot < slots.length; slot++) {
            reuse(slot);
        }
    }

    /**
     * Waits for batches still with the sink (their buffers are freed once the exporter returns),
     * then ends the thread. Their failures are left to the exporter's own error.
     */
    @Override
    public void close() {
        try {
            for (int slot = 0; slot < slots.length; slot++) {
                if (slots[slot] != null) {
                    try {
                        awaitUninterruptibly(slots[slot]);
                    } catch (ExecutionException e) {
                        // The export already failed for another reason, which is the one to report.
                    }
                    slots[slot] = null;
                }
            }
        } finally {
            thread.shutdown();
        }
    }

    /**
     * A stop request interrupts the exporter; the batch in the sink's hands is bounded, so it is
     * waited for rather than abandoned while its buffers might be released under it.
     */
    private static void awaitUninterruptibly(Future<?> task) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    task.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
