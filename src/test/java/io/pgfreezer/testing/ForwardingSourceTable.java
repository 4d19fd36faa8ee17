package io.pgfreezer.testing;

import io.pgfreezer.format.ArchivedRows;
import io.pgfreezer.manifest.DeleteChunk;
import io.pgfreezer.source.BatchSink;
import io.pgfreezer.source.ChunkDeleter;
import io.pgfreezer.source.ExportResult;
import io.pgfreezer.source.PartitionProof;
import io.pgfreezer.source.PartitionState;
import io.pgfreezer.source.SourceTable;
import io.pgfreezer.source.TablePartition;
import io.pgfreezer.source.TableSchema;
import io.pgfreezer.source.WindowStats;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

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
    public ChunkDeleter deleter() {
        return watched(delegate.deleter());
    }

    @Override
    public ChunkDeleter spareDeleter() {
        return watched(delegate.spareDeleter());
    }

    /** Passes every chunk through {@link #beforeDelete} and {@link #afterDelete} on any session. */
    private ChunkDeleter watched(ChunkDeleter session) {
        return new ChunkDeleter() {
            @Override
            public OpenDelete delete(DeleteChunk chunk) {
                beforeDelete(chunk);
                return afterDelete(chunk, session.delete(chunk));
            }

            @Override
            public Snapshot snapshot() {
                return session.snapshot();
            }

            @Override
            public Snapshot join(Snapshot shared) {
                return session.join(shared);
            }

            @Override
            public void close() {
                session.close();
            }
        };
    }

    /** Called with a chunk's DELETE once it has run, still uncommitted; returns what the engine gets. */
    protected ChunkDeleter.OpenDelete afterDelete(DeleteChunk chunk, ChunkDeleter.OpenDelete delete) {
        return delete;
    }

    /** Called just before a partition's concurrent detach starts. */
    protected void beforeDetach(String partition) {
    }

    /** Called just before a partition is locked and proven (and, when it is still attached, detached). */
    protected void beforeProof(String partition) {
    }

    @Override
    public boolean isPartitioned() {
        return delegate.isPartitioned();
    }

    @Override
    public List<TablePartition> partitions() {
        return delegate.partitions();
    }

    @Override
    public PartitionState partitionState(String partition, String parent) {
        return delegate.partitionState(partition, parent);
    }

    @Override
    public long partitionRows(String partition) {
        return delegate.partitionRows(partition);
    }

    @Override
    public boolean supportsConcurrentDetach() {
        return delegate.supportsConcurrentDetach();
    }

    @Override
    public void detachConcurrently(String partition, String parent) {
        beforeDetach(partition);
        delegate.detachConcurrently(partition, parent);
    }

    @Override
    public void finalizeDetach(String partition, String parent) {
        delegate.finalizeDetach(partition, parent);
    }

    @Override
    public PartitionProof.Outcome proveAndRemove(String partition, String parent, PartitionProof proof,
                                                 boolean detachFirst, boolean drop, Optional<String> moveToSchema) {
        beforeProof(partition);
        PartitionProof.Outcome outcome = delegate.proveAndRemove(partition, parent, proof, detachFirst, drop, moveToSchema);
        afterProof(partition, proof, outcome);
        return outcome;
    }

    /** Called with what a partition's proof was asked to prove and what it found. */
    protected void afterProof(String partition, PartitionProof proof, PartitionProof.Outcome outcome) {
    }

    @Override
    public Optional<PartitionProof.Unchanged> sameRelationsAsAtExport(String partition, PartitionProof.Unchanged unchanged) {
        return delegate.sameRelationsAsAtExport(partition, unchanged);
    }

    @Override
    public void reattach(String partition, String parent, Instant from, Instant to) {
        delegate.reattach(partition, parent, from, to);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
