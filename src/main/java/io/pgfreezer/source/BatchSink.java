package io.pgfreezer.source;

import org.apache.arrow.vector.VectorSchemaRoot;

/** Receives each exported batch; the batch's buffers are reused after {@code accept} returns. */
@FunctionalInterface
public interface BatchSink {
    void accept(VectorSchemaRoot batch);
}
