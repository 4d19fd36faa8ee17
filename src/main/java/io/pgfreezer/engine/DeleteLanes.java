package io.pgfreezer.engine;

import io.pgfreezer.manifest.DeleteChunk;
import io.pgfreezer.source.ChunkDeleter;
import io.pgfreezer.source.ChunkDeleter.OpenDelete;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Chunk DELETEs on one or two database sessions, handed out in the order they were started. A
 * DELETE of one chunk is CPU work in its backend (a WAL record per row), so with a second session
 * the next chunk's DELETE runs on the other core while the caller decides on the one before it,
 * records it and commits it. Each session holds at most one open DELETE: the chunk after next
 * starts on a session only once the caller has ended the one that session ran.
 */
final class DeleteLanes implements AutoCloseable {
    private final List<ChunkDeleter> sessions;
    private final Runnable onClose;
    private final ExecutorService threads;
    private final ArrayDeque<Future<OpenDelete>> running = new ArrayDeque<>();
    private int started;

    /**
     * @param sessions the sessions to delete on, in turn
     * @param onClose runs once every session is closed (hands back what made the second one possible)
     */
    DeleteLanes(List<ChunkDeleter> sessions, Runnable onClose) {
        this.sessions = List.copyOf(sessions);
        this.onClose = onClose;
        this.threads = Executors.newFixedThreadPool(sessions.size(), r -> {
            Thread t = new Thread(r, "pg-freezer-delete");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The rows each chunk holds, all in one snapshot. With two sessions each counts half the
     * chunks at once, the second in a snapshot it joins from the first, which stays open until
     * the second is done.
     */
    List<Long> count(List<DeleteChunk> chunks) {
        if (!running.isEmpty()) {
            throw new IllegalStateException("count before any DELETE starts");
        }
        try (ChunkDeleter.Snapshot first = sessions.get(0).snapshot()) {
            if (sessions.size() == 1 || chunks.size() < 2) {
                return first.count(chunks);
            }
            int half = chunks.size() / 2;
            ChunkDeleter second = sessions.get(1);
            Future<List<Long>> later = threads.submit(() -> {
                try (ChunkDeleter.Snapshot joined = second.join(first)) {
                    return joined.count(chunks.subList(half, chunks.size()));
                }
            });
            List<Long> counts = new ArrayList<>(chunks.size());
            try {
                counts.addAll(first.count(chunks.subList(0, half)));
            } catch (RuntimeException | Error e) {
                // The joined count must end before the snapshot it shares is closed under it.
                try {
                    await(later);
                } catch (RuntimeException | Error suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            counts.addAll(await(later));
            return counts;
        }
    }

    /** Whether another chunk may start now without two open DELETEs on one session. */
    boolean hasRoom() {
        return running.size() < sessions.size();
    }

    /** Starts the chunk's DELETE on the next session in turn. */
    void start(DeleteChunk chunk) {
        if (!hasRoom()) {
            throw new IllegalStateException("every delete session already has an open DELETE");
        }
        ChunkDeleter session = sessions.get(started++ % sessions.size());
        running.add(threads.submit(() -> session.delete(chunk)));
    }

    /** The oldest started chunk's DELETE once it has run, still open; rethrows what stopped it. */
    OpenDelete next() {
        return await(running.removeFirst());
    }

    /**
     * Rolls back every DELETE still running or waiting, waiting for each statement to end, so no
     * session is handed back, or left to the caller, with rows deleted and uncommitted.
     */
    @Override
    public void close() {
        RuntimeException failure = null;
        try {
            while (!running.isEmpty()) {
                try {
                    await(running.removeFirst()).rollback();
                } catch (RuntimeException e) {
                    // Either the DELETE failed, and rolled back as it did, or the rollback failed
                    // because the session is gone, which ends its transaction too. Report the first.
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        } finally {
            threads.shutdown();
            List<RuntimeException> closing = new ArrayList<>();
            for (ChunkDeleter s : sessions) {
                try {
                    s.close();
                } catch (RuntimeException e) {
                    closing.add(e);
                }
            }
            onClose.run();
            if (failure != null) {
                closing.forEach(failure::addSuppressed);
                throw failure;
            }
            if (!closing.isEmpty()) {
                throw closing.get(0);
            }
        }
    }

    private static <T> T await(Future<T> f) {
        return Uninterruptibly.await(f, "a chunk's delete");
    }
}
