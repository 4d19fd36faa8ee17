package io.pgfreezer.source;

import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.MDC;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the sink on a thread of its own, one batch at a time, so that encoding a batch (Parquet,
 * compression, the upload) overlaps with reading and decoding the next one from PostgreSQL.
 * The exporter alternates between two batches: {@link #submit} returns once the sink has
 * finished the batch before, so the batch the exporter refills next is never one the sink still
 * reads. A failure of the sink comes back, as it was thrown, from the next {@link #submit} or
 * {@link #drain}. Used by one exporting thread.
 */
final class BatchHandoff implements AutoCloseable {
    private final BatchSink sink;
    private final ExecutorService thread;
    private Future<?> pending;

    BatchHandoff(BatchSink sink, String table) {
        this.sink = sink;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "export-writer " + table);
            t.setDaemon(true);
            return t;
        });
    }

    /** Hands {@code batch} to the sink after the previous batch is done with. */
    void submit(VectorSchemaRoot batch) {
        drain();
        // Log lines of the sink keep naming the table and batch they belong to.
        Map<String, String> context = MDC.getCopyOfContextMap();
        pending = thread.submit(() -> {
            if (context != null) {
                MDC.setContextMap(context);
            }
            try {
                sink.accept(batch);
            } finally {
                MDC.clear();
            }
        });
    }

    /** Waits until the sink has taken every batch handed over; rethrows its failure. */
    void drain() {
        Future<?> task = pending;
        if (task == null) {
            return;
        }
        pending = null;
        try {
            awaitUninterruptibly(task);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IllegalStateException("the export's writer failed", cause);
        }
    }

    /**
     * Waits for a batch still with the sink (its buffers are freed once the exporter returns),
     * then ends the thread. A failure of that last batch is left to the exporter's own error.
     */
    @Override
    public void close() {
        try {
            if (pending != null) {
                awaitUninterruptibly(pending);
            }
        } catch (ExecutionException e) {
            // The export already failed for another reason, which is the one to report.
        } finally {
            pending = null;
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
