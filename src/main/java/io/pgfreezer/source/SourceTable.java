package io.pgfreezer.source;

import io.pgfreezer.format.ArchivedRows;
import io.pgfreezer.manifest.DeleteChunk;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One table, seen through one database session that holds the table's archiving lock for as
 * long as it is open. Time bounds are half-open {@code [start, end)} and every statement also
 * applies the table's {@code extra_filters}.
 */
public interface SourceTable extends AutoCloseable {

    TableSchema schema();

    /** The earliest timestamp in {@code [from, before)}; {@code from} may be null for "any". */
    Optional<Instant> firstTimestamp(Instant from, Instant before);

    /**
     * Rows before {@code before} and the oldest of them, in one count/min statement: the
     * backlog a monitoring alert watches. Cheap once archiving keeps up, since archived rows are
     * gone and an index on the timestamp column bounds the scan.
     */
    EligibleRows eligibleRows(Instant before);

    /** Rows and their on-disk size in {@code [start, end)}, for dry runs. */
    WindowStats stats(Instant start, Instant end);

    /**
     * Streams the rows of {@code [start, end)} in timestamp order, one bounded Arrow batch at a
     * time, in a single snapshot. Returns the count and the delete chunks that tile the range.
     */
    default ExportResult export(Instant start, Instant end, int chunkRows, BatchSink sink) {
        return export(start, end, chunkRows, null, sink);
    }

    /**
     * As {@link #export(Instant, Instant, int, BatchSink)}, leaving out each row that matches a
     * row of {@code alreadyArchived} not matched before (a multiset: a row PostgreSQL holds twice
     * is left out twice only when the archive holds it twice). The chunks count every row of the
     * range, left out or not, so the guarded delete removes exactly the rows that are either in
     * the new file or provably in the archive already; the result's {@code rows} and value digest
     * cover only the rows handed to {@code sink}.
     *
     * @param alreadyArchived null or empty to leave out nothing
     */
    ExportResult export(Instant start, Instant end, int chunkRows, ArchivedRows alreadyArchived, BatchSink sink);

    /** Row counts of each chunk, all read in one snapshot. */
    List<Long> count(List<DeleteChunk> chunks);

    /** Deletes chunks on this table's own session. Closing it leaves the session open. */
    ChunkDeleter deleter();

    /**
     * Deletes chunks on a second session of the same database, so two chunks' DELETEs can run at
     * once. The caller makes sure the pool has a connection to spare (each table in progress
     * holds one) and closes it to hand the connection back.
     */
    ChunkDeleter spareDeleter();

    /** Whether the table is a partitioned table (relkind 'p'). */
    boolean isPartitioned();

    /** Every partition below the table, sub-partitions included, each after its parent. */
    List<TablePartition> partitions();

    /** How far a partition's removal from {@code parent} (both {@code schema.name}) got. */
    PartitionState partitionState(String partition, String parent);

    /** All rows of one partition, sub-partitions included and without {@code extra_filters}. */
    long partitionRows(String partition);

    /** Whether {@code DETACH PARTITION ... CONCURRENTLY} is available (PostgreSQL 14 and later). */
    boolean supportsConcurrentDetach();

    /**
     * The first step of a concurrent detach, outside any transaction. Once it returns the
     * partition receives no rows through its parent; if it is interrupted the partition is left
     * {@link PartitionState#DETACH_PENDING}.
     */
    void detachConcurrently(String partition, String parent);

    /** Completes a detach left pending ({@code DETACH PARTITION ... FINALIZE}). */
    void finalizeDetach(String partition, String parent);

    /**
     * In one transaction: locks the partition against every write, proves it holds exactly what
     * {@code proof} says, and only then (when {@code detachFirst}, the partition still attached)
     * detaches it, and drops it, or moves it to {@code moveToSchema}, or leaves it; commits. When
     * anything differs the transaction is rolled back, nothing changes and the difference is
     * returned. With {@code proof.unchanged()} carrying the relations, one scan of row counts and
     * row versions may prove it; anything that scan cannot rule out sends it to reading every
     * window's values again.
     */
    PartitionProof.Outcome proveAndRemove(String partition, String parent, PartitionProof proof, boolean detachFirst,
                                          boolean drop, Optional<String> moveToSchema);

    /**
     * {@code unchanged} with the oids of the partition and its sub-partitions, when none of them
     * was created, renamed, attached, detached or altered since {@code unchanged}'s snapshot (its
     * catalog row is older); empty otherwise. Asked before the partition is detached, whose own
     * catalog row the detach rewrites: a table put in the partition's place after the export would
     * bring rows no export saw, whatever their age.
     */
    Optional<PartitionProof.Unchanged> sameRelationsAsAtExport(String partition, PartitionProof.Unchanged unchanged);

    /** Attaches a detached partition back with its range, after a proof found rows that are not archived. */
    void reattach(String partition, String parent, Instant from, Instant to);

    /** Releases the lock and the session. */
    @Override
    void close();
}
