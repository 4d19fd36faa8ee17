package io.pgfreezer.engine;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.config.Retention;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.DeleteChunk;
import io.pgfreezer.manifest.ManifestStore;
import io.pgfreezer.manifest.PartitionPrune;
import io.pgfreezer.source.PartitionProof;
import io.pgfreezer.source.SourceTable;
import io.pgfreezer.source.TablePartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * {@code retention: detach | drop} on a partitioned table: a partition whose range is exactly
 * one window, or one UTC day of hourly windows, leaves the table whole once every one of its
 * windows is archived and verified; any other window (one in the DEFAULT partition, one that cuts
 * across partitions, one in a partition spanning more than a day of windows) goes to the row
 * delete. A bigger partition is not waited for, as it would keep verified rows in PostgreSQL
 * until its last window is due.
 *
 * <p>The steps, each saved in every one of the partition's manifests before it is taken: the
 * windows wait ({@link PartitionPrune.Step#AWAITING}) until the partition holds exactly their
 * archived rows and nothing else; then {@link PartitionPrune.Step#DETACHING}: the partition is
 * detached, locked against every write, proven to hold exactly the archived rows, and dropped or
 * moved in the proof's transaction. The proof is one scan when every row version in the
 * partition is older than its windows' export snapshots (recorded in their manifests) and the
 * partition is the relation they were exported from; otherwise it counts the rows and re-reads
 * every window's values with the export's own COPY to compare their digests. Where the partition can only be detached inside a transaction (before
 * PostgreSQL 14, or beside a DEFAULT partition), the proof, the detach and the drop are one.
 */
final class PartitionPruner implements Pruner {
    private static final Logger log = LoggerFactory.getLogger(PartitionPruner.class);

    private final TableConfig table;
    private final SourceTable source;
    private final ManifestStore manifests;
    private final Clock clock;
    private final Pruner rows;

    PartitionPruner(TableConfig table, SourceTable source, ManifestStore manifests, Clock clock, Pruner rows) {
        this.table = table;
        this.source = source;
        this.manifests = manifests;
        this.clock = clock;
        this.rows = rows;
    }

    /** The partition a window goes with, or why it goes row by row. */
    record Unit(TablePartition partition, String fallback) {
    }

    @Override
    public String describe(Window w) {
        Unit u = unitOf(w, source.partitions());
        if (u.partition() == null) {
            return rows.describe(w) + " (" + u.fallback() + ")";
        }
        return "partition " + u.partition().qualifiedName() + " " + (drops() ? "detached and dropped" : "detached")
                + " once every window of [" + IsoInstants.format(u.partition().from()) + ", "
                + IsoInstants.format(u.partition().to()) + ") is archived and verified";
    }

    @Override
    public BatchManifest prune(BatchManifest m, boolean resumed) {
        if (m.prune() != null && m.prune().step() == PartitionPrune.Step.DETACHING) {
            return resumeDetach(m, resumed);
        }
        Window w = new Window(m.windowStart(), m.windowEnd(), table.partitionBy());
        Unit u = unitOf(w, source.partitions());
        long archived = m.rowCount() == null ? 0 : m.rowCount();
        if (u.partition() == null || m.chunksDeleted() > 0 || (archived > 0 && m.valueDigest() == null)) {
            String why = u.partition() == null ? u.fallback() : m.chunksDeleted() > 0
                    ? "its row delete had already begun" : "its manifest records no value digest to prove the partition by";
            log.info("{}: rows deleted row by row ({})", w, why);
            return rows.prune(m.prune() == null ? m : save(m.withPrune(null)), resumed);
        }
        TablePartition p = u.partition();
        long inWindow = source.count(List.of(new DeleteChunk(m.windowStart(), m.windowEnd(), archived))).get(0);
        if (inWindow != archived) {
            throw new GuardTripped(m, guard(m, inWindow) + "; nothing was detached or deleted");
        }
        PartitionPrune awaiting = new PartitionPrune(PartitionPrune.Step.AWAITING, p.qualifiedName(),
                p.parentQualifiedName(), p.from(), p.to());
        if (!awaiting.equals(m.prune())) {
            m = save(m.withPrune(awaiting));
        }
        List<BatchManifest> members = membersIn(p.from(), p.to(), m);
        Optional<String> waitingFor = waitingFor(members);
        if (waitingFor.isEmpty()) {
            long expected = rowsHeld(members);
            // A partition that is exactly this window holds exactly the rows just counted in it: a second
            // scan would tell nothing more, and the proof counts again under the lock anyway.
            boolean justThisWindow = p.from().equals(m.windowStart()) && p.to().equals(m.windowEnd());
            long held = justThisWindow ? inWindow : source.partitionRows(p.qualifiedName());
            if (held != expected) {
                waitingFor = Optional.of("it holds " + held + " row(s), its verified windows " + expected);
            }
        }
        if (waitingFor.isPresent()) {
            log.debug("partition {} waits: {}", p.qualifiedName(), waitingFor.get());
            return m;
        }
        return remove(p, awaiting.withStep(PartitionPrune.Step.DETACHING), members, m.batchId());
    }

    private boolean drops() {
        return table.retention() == Retention.DROP;
    }

    private String pruned() {
        return drops() ? BatchManifest.PRUNED_DROPPED : BatchManifest.PRUNED_DETACHED;
    }

    /**
     * Detaches, proves and drops (or moves) the partition; every member's manifest says
     * DETACHING first, so a run killed anywhere in here finds out from the catalog how far it got.
     */
    private BatchManifest remove(TablePartition p, PartitionPrune detaching, List<BatchManifest> members, String current) {
        List<BatchManifest> marked = new ArrayList<>();
        for (BatchManifest x : members) {
            marked.add(x.status() == BatchStatus.DELETING ? save(x.withPrune(detaching)) : x);
        }
        PartitionProof proof = proof(marked);
        if (proof.unchanged() != null) {
            // Only while the partition is still attached does its catalog row say whether it is the table the windows
            // were exported from: the detach rewrites it.
            proof = new PartitionProof(proof.totalRows(), proof.windows(),
                    source.sameRelationsAsAtExport(detaching.partition(), proof.unchanged()).orElse(null));
        }
        if (source.supportsConcurrentDetach() && !p.parentHasDefault()) {
            log.info("detaching partition {} concurrently", p.qualifiedName());
            source.detachConcurrently(detaching.partition(), detaching.parent());
            return proveDetached(detaching, marked, current, proof);
        }
        // PostgreSQL refuses a concurrent detach beside a DEFAULT partition (and before 14 has
        // none), so the detach happens inside the proof's transaction, under its lock: atomic, at
        // the price of a brief ACCESS EXCLUSIVE lock on the parent.
        PartitionProof.Outcome o = source.proveAndRemove(detaching.partition(), detaching.parent(), proof, true,
                drops(), table.retentionSchema());
        if (!o.matches()) {
            BatchManifest failed = backToAwaiting(marked, current);
            throw new GuardTripped(failed, "Partition guard: partition " + detaching.partition() + " " + o.difference()
                    + "; nothing was detached or deleted");
        }
        return done(marked, current, o.method());
    }

    /** The partition no longer takes rows through its parent: the proof decides whether it goes. */
    private BatchManifest proveDetached(PartitionPrune detaching, List<BatchManifest> members, String current,
                                        PartitionProof proof) {
        PartitionProof.Outcome o = source.proveAndRemove(detaching.partition(), detaching.parent(), proof, false,
                drops(), table.retentionSchema());
        if (!o.matches()) {
            source.reattach(detaching.partition(), detaching.parent(), detaching.from(), detaching.to());
            BatchManifest failed = backToAwaiting(members, current);
            throw new GuardTripped(failed, "Partition guard: detached partition " + detaching.partition() + " "
                    + o.difference() + "; it was attached back and nothing was dropped or deleted");
        }
        return done(members, current, o.method());
    }

    private BatchManifest resumeDetach(BatchManifest m, boolean resumed) {
        PartitionPrune detaching = m.prune();
        List<BatchManifest> members = new ArrayList<>();
        for (BatchManifest x : manifests.list(table.name())) {
            BatchManifest own = x.batchId().equals(m.batchId()) ? m : x;
            if (own.prune() != null && own.prune().partition().equals(detaching.partition())
                    && (own.status() == BatchStatus.DELETING || isPrunedWithPartition(own))) {
                members.add(own);
            }
        }
        members.sort(Comparator.comparing(BatchManifest::windowStart));
        switch (source.partitionState(detaching.partition(), detaching.parent())) {
            case ATTACHED -> {
                log.info("partition {} was not detached by the interrupted run; proving it again", detaching.partition());
                for (BatchManifest x : members) {
                    if (!x.batchId().equals(m.batchId()) && x.status() == BatchStatus.DELETING) {
                        save(x.withPrune(detaching.withStep(PartitionPrune.Step.AWAITING)));
                    }
                }
                return prune(save(m.withPrune(detaching.withStep(PartitionPrune.Step.AWAITING))), resumed);
            }
            case DETACH_PENDING -> {
                log.warn("partition {} was left detach pending by an interrupted run; finishing the detach",
                        detaching.partition());
                source.finalizeDetach(detaching.partition(), detaching.parent());
                // Detached by an earlier run, the partition can no longer show it is the exported one: the full proof.
                return proveDetached(detaching, members, m.batchId(), proof(members));
            }
            case DETACHED -> {
                log.info("partition {} was detached by the interrupted run; proving it", detaching.partition());
                return proveDetached(detaching, members, m.batchId(), proof(members));
            }
            case GONE -> {
                // Only the proof's own transaction drops or moves it, so its removal was proven.
                log.info("partition {} was proven and removed by the interrupted run; recording it", detaching.partition());
                return done(members, m.batchId(), null);
            }
            default -> throw new IllegalStateException("unknown partition state");
        }
    }

    /** @param proven how the proof matched, or null when an interrupted run's proof did */
    private BatchManifest done(List<BatchManifest> members, String current, PartitionProof.Method proven) {
        BatchManifest result = null;
        Instant at = now();
        for (BatchManifest x : members) {
            BatchManifest saved = x.status() == BatchStatus.DELETING
                    ? save(x.withDeletedAt(at).withPrunedBy(pruned()).transition(BatchStatus.DONE)) : x;
            if (saved.batchId().equals(current)) {
                result = saved;
            }
        }
        if (result == null) {
            throw new IllegalStateException("batch " + current + " is not among its partition's windows");
        }
        String how = proven == PartitionProof.Method.UNCHANGED_SINCE_EXPORT
                ? " (no row version newer than their exports' snapshots, so no value was read again)"
                : proven == PartitionProof.Method.VALUES_READ_AGAIN ? " (every window's values read again)" : "";
        log.atInfo().addKeyValue("proof", proven == null ? "earlier_run" : proven.name().toLowerCase(java.util.Locale.ROOT))
                .log("partition {} {} after its {} window(s) were proven against it{}", result.prune().partition(),
                        drops() ? "dropped" : "detached", members.size(), how);
        return result;
    }

    /** After a failed proof the others wait again; the batch that tripped it is the one to fail. */
    private BatchManifest backToAwaiting(List<BatchManifest> members, String current) {
        BatchManifest failed = null;
        for (BatchManifest x : members) {
            if (x.status() != BatchStatus.DELETING) {
                continue;
            }
            BatchManifest waiting = x.withPrune(x.prune().withStep(PartitionPrune.Step.AWAITING));
            if (x.batchId().equals(current)) {
                failed = waiting;
            } else {
                save(waiting);
            }
        }
        return failed;
    }

    private static boolean isPrunedWithPartition(BatchManifest m) {
        return m.status() == BatchStatus.DONE && (BatchManifest.PRUNED_DETACHED.equals(m.prunedBy())
                || BatchManifest.PRUNED_DROPPED.equals(m.prunedBy()));
    }

    /** Every batch whose window lies in {@code [from, to)}, with {@code current} as this run holds it. */
    private List<BatchManifest> membersIn(Instant from, Instant to, BatchManifest current) {
        List<BatchManifest> members = new ArrayList<>();
        for (BatchManifest x : manifests.list(table.name())) {
            if (!x.windowStart().isBefore(from) && !x.windowEnd().isAfter(to)) {
                members.add(x.batchId().equals(current.batchId()) ? current : x);
            }
        }
        if (members.stream().noneMatch(x -> x.batchId().equals(current.batchId()))) {
            members.add(current);
        }
        members.sort(Comparator.comparing(BatchManifest::windowStart));
        return members;
    }

    /** What keeps the partition from going now, if anything; windows with no batch hold no rows or are counted below. */
    private static Optional<String> waitingFor(List<BatchManifest> members) {
        for (BatchManifest x : members) {
            if (x.status() == BatchStatus.DONE) {
                continue;
            }
            if (x.status() != BatchStatus.DELETING) {
                return Optional.of("batch " + x.batchId() + " is " + x.status());
            }
            if (x.chunksDeleted() > 0 || (x.rowCount() != null && x.rowCount() > 0 && x.valueDigest() == null)) {
                return Optional.of("batch " + x.batchId() + " is deleted row by row");
            }
        }
        return Optional.empty();
    }

    /** Rows the partition must hold: those of its verified windows, and of windows detached with it. */
    private static long rowsHeld(List<BatchManifest> members) {
        long sum = 0;
        for (BatchManifest x : members) {
            if ((x.status() == BatchStatus.DELETING || isPrunedWithPartition(x)) && x.rowCount() != null) {
                sum += x.rowCount();
            }
        }
        return sum;
    }

    private static PartitionProof proof(List<BatchManifest> members) {
        List<PartitionProof.WindowContent> windows = new ArrayList<>();
        for (BatchManifest x : members) {
            if (x.rowCount() != null && x.rowCount() > 0) {
                windows.add(new PartitionProof.WindowContent(x.windowStart(), x.windowEnd(), x.rowCount(), x.valueDigest()));
            }
        }
        return new PartitionProof(rowsHeld(members), windows, unchanged(members));
    }

    /**
     * The ranges read by exports that recorded their snapshot, and the oldest of those snapshots;
     * null when there is none. Only windows whose rows the partition must hold count: a row in any
     * other range was seen by none of these exports, and the proof treats it as new.
     */
    static PartitionProof.Unchanged unchanged(List<BatchManifest> members) {
        List<BatchManifest> recorded = members.stream()
                .filter(x -> x.snapshotXmin() != null && (x.status() == BatchStatus.DELETING || isPrunedWithPartition(x)))
                .sorted(Comparator.comparing(BatchManifest::windowStart))
                .toList();
        if (recorded.isEmpty()) {
            return null;
        }
        long xmin = Long.MAX_VALUE;
        List<PartitionProof.Span> covered = new ArrayList<>();
        Instant start = null;
        Instant end = null;
        for (BatchManifest x : recorded) {
            xmin = Math.min(xmin, x.snapshotXmin());
            if (end != null && !x.windowStart().isAfter(end)) {
                end = end.isAfter(x.windowEnd()) ? end : x.windowEnd();
                continue;
            }
            if (end != null) {
                covered.add(new PartitionProof.Span(start, end));
            }
            start = x.windowStart();
            end = x.windowEnd();
        }
        covered.add(new PartitionProof.Span(start, end));
        return new PartitionProof.Unchanged(xmin, covered);
    }

    /**
     * The deepest partition that holds the whole window in one time range, if it is exactly one
     * window or one UTC day of hourly windows.
     */
    Unit unitOf(Window w, List<TablePartition> partitions) {
        TablePartition best = null;
        boolean crosses = false;
        boolean hasDefault = false;
        for (TablePartition p : partitions) {
            hasDefault |= p.isDefault();
            if (!p.hasTimeRange()) {
                continue;
            }
            boolean holds = !p.from().isAfter(w.start()) && !p.to().isBefore(w.end());
            boolean overlaps = p.from().isBefore(w.end()) && p.to().isAfter(w.start());
            if (holds && !p.detachPending()) {
                if (best == null || p.to().toEpochMilli() - p.from().toEpochMilli()
                        < best.to().toEpochMilli() - best.from().toEpochMilli()) {
                    best = p;
                }
            } else if (overlaps && !holds) {
                crosses = true;
            }
        }
        if (best == null) {
            return new Unit(null, crosses ? "the window cuts across a partition boundary"
                    : hasDefault ? "the window's rows are in the DEFAULT partition" : "no partition holds the window");
        }
        if (!isWholeWindows(best.from(), best.to())) {
            return new Unit(null, "partition " + best.qualifiedName() + " spans more than "
                    + (table.partitionBy() == Granularity.HOURLY ? "one day of hourly windows" : "one window"));
        }
        return new Unit(best, null);
    }

    private boolean isWholeWindows(Instant from, Instant to) {
        Window first = Window.containing(from, table.partitionBy());
        if (first.start().equals(from) && first.end().equals(to)) {
            return true;
        }
        Window day = Window.containing(from, Granularity.DAILY);
        return table.partitionBy() == Granularity.HOURLY && day.start().equals(from) && day.end().equals(to);
    }

    private String guard(BatchManifest m, long found) {
        return RowDeletePruner.guardMessage(new DeleteChunk(m.windowStart(), m.windowEnd(), m.rowCount()), found, 0,
                "the window stays in its partition").replaceFirst("^Delete guard", "Partition guard");
    }

    private BatchManifest save(BatchManifest m) {
        manifests.save(m);
        return m;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
