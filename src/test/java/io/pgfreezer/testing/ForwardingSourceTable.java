package io.pgfreezer.testing;

import io.pgfreezer.manifest.DeleteChunk;
import io.pgfreezer.source.BatchSink;
import io.pgfreezer.source.ExportResult;
import io.pgfreezer.source.SourceTable;
import io.pgfreezer.source.TableSchema;
import io.pgfreezer.source.WindowStats;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.LongPredicate;

/** Passes everything to a real table session; tests override one step to inject a fault around it. */
public class ForwardingSourceTable implements SourceTable {
    protected final SourceTable delegate;

    public ForwardingSourceTable(SourceTable delegate) {
        this.delegate = delegate;
    }

    @Override
    public TableSchema schema() {
        return delegate.schema();
    }

    @Override
    public Optional<Instant> firstTimestamp(Instant from, Instant before) {
        return delegate.firstTimestamp(from, before);
    }

    @Override
    public WindowStats stats(Instant start, Instant end) {
        return delegate.stats(start, end);
    }

    @Override
    public ExportResult export(Instant start, Instant end, int chunkRows, BatchSink sink) {
        return delegate.export(start, end, chunkRows, sink);
    }

    @Override
    public List<Long> count(List<DeleteChunk> chunks) {
        return delegate.count(chunks);
    }

    @Override
    public long deleteGuarded(DeleteChunk chunk, LongPredicate acceptable) {
        return delegate.deleteGuarded(chunk, acceptable);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
