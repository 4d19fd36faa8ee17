package io.pgfreezer.testing;

import io.pgfreezer.format.ArchivedRows;
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

/**
 * A real table session with hooks around the steps of the delete path, so a test can change the
 * table at exactly the moment a fault matters (say, insert a row between the pre-check and a
 * chunk's DELETE).
 */
public class ForwardingSourceTable implements SourceTable {
    protected final SourceTable delegate;

    public ForwardingSourceTable(SourceTable delegate) {
        this.delegate = delegate;
    }

    /** Called just before a window's export starts. */
    protected void beforeExport(Instant start, Instant end) {
    }

    /** Called just before a chunk's guarded DELETE runs. */
    protected void beforeDelete(DeleteChunk chunk) {
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
    public io.pgfreezer.source.EligibleRows eligibleRows(Instant before) {
        return delegate.eligibleRows(before);
    }

    @Override
    public WindowStats stats(Instant start, Instant end) {
        return delegate.stats(start, end);
    }

    @Override
    public ExportResult export(Instant start, Instant end, int chunkRows, ArchivedRows alreadyArchived,
                               BatchSink sink) {
        beforeExport(start, end);
        return delegate.export(start, end, chunkRows, alreadyArchived, sink);
    }

    @Override
    public List<Long> count(List<DeleteChunk> chunks) {
        return delegate.count(chunks);
    }

    @Override
    public long deleteGuarded(DeleteChunk chunk, LongPredicate acceptable) {
        beforeDelete(chunk);
        return delegate.deleteGuarded(chunk, acceptable);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
