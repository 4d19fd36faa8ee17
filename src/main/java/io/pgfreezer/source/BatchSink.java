package io.pgfreezer.source;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Receives each exported batch; the batch's buffers are reused after {@code accept} returns.
 * Export calls it on a thread of its own, so encoding overlaps with reading the next batch, but
 * one batch at a time, in order, and every call has returned before export does.
 */
@FunctionalInterface
public interface BatchSink {
    void accept(VectorSchemaRoot batch);
}
