package io.pgfreezer.storage;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Streams into {@code .NAME.RANDOM.tmp} beside the target; {@link #commit()} syncs and renames it
 * into place in one atomic step. The temp file lives in the target's own directory because a
 * rename is only atomic within one file system.
 */
final class LocalObjectOutput extends ObjectOutput {

    private static final Pattern TEMP_NAME = Pattern.compile("\\..+\\.[0-9a-f]{16}\\.tmp");
    private static final int BUFFER_SIZE = 64 * 1024;

    private enum State { OPEN, COMMITTED, ABORTED }

    private final String key;
    private final Path target;
    private final Precondition condition;
    private final Path temp;
    private final FileChannel channel;
    private final OutputStream out;
    private long position;
    private State state = State.OPEN;

    LocalObjectOutput(String key, Path target, Precondition condition) {
        this.key = key;
        this.target = target;
        this.condition = condition;
        String random = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        this.temp = target.resolveSibling("." + target.getFileName() + "." + random + ".tmp");
        try {
            Files.createDirectories(target.getParent());
            this.channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StorageException("cannot create " + temp + ": " + LocalObjectStorage.describe(e), e);
        }
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_SIZE);
    }

    static boolean isTempFile(Path file) {
        Path name = file.getFileName();
        return name != null && TEMP_NAME.matcher(name.toString()).matches();
    }

    @Override
    public void write(int b) {
        requireOpen();
        try {
            out.write(b);
        } catch (IOException e) {
            throw writeFailed(e);
        }
        position++;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        requireOpen();
        try {
            out.write(bytes, offset, length);
        } catch (IOException e) {
            throw writeFailed(e);
        }
        position += length;
    }

    @Override
    public void flush() {
        requireOpen();
        try {
            out.flush();
        } catch (IOException e) {
            throw writeFailed(e);
        }
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public ObjectInfo commit() {
        requireOpen();
        try {
            out.flush();
            channel.force(true);
            channel.close();
            publish();
        } catch (PreconditionFailedException e) {
            abort();
            throw e;
        } catch (AtomicMoveNotSupportedException e) {
            abort();
            throw new StorageException("cannot publish " + target + ": the file system cannot rename atomically", e);
        } catch (IOException e) {
            abort();
            throw new StorageException("cannot publish " + target + ": " + LocalObjectStorage.describe(e), e);
        }
        state = State.COMMITTED;
        LocalObjectStorage.syncDirectory(target.getParent());
        try {
            BasicFileAttributes attributes = Files.readAttributes(target, BasicFileAttributes.class);
            return new ObjectInfo(key, position, attributes.lastModifiedTime().toInstant(),
                    LocalObjectStorage.versionOf(attributes));
        } catch (IOException e) {
            throw new StorageException("cannot read attributes of " + target + ": "
                    + LocalObjectStorage.describe(e), e);
        }
    }

    private void publish() throws IOException {
        switch (condition.kind()) {
            case NONE -> Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            case ABSENT -> publishIfAbsent();
            case MATCHES -> {
                // Writers of one key hold the table's lock, so between this check and the rename
                // no other pg-freezer can write it; the check catches everything else (a stale
                // copy put back by hand, a second tool) as the S3 backend's If-Match does.
                String current = LocalObjectStorage.currentVersion(target);
                if (!condition.admits(current)) {
                    throw conflict(current);
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /**
     * A hard link is created only if the name is free, atomically, which a rename cannot promise
     * (rename replaces silently). File systems without hard links fall back to check-then-rename.
     */
    private void publishIfAbsent() throws IOException {
        try {
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            throw conflict(LocalObjectStorage.currentVersion(target));
        } catch (UnsupportedOperationException | FileSystemException e) {
            if (Files.exists(target)) {
                throw conflict(LocalObjectStorage.currentVersion(target));
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Files.delete(temp);
    }

    private PreconditionFailedException conflict(String current) {
        return new PreconditionFailedException("refusing to write " + target + " " + condition + ": "
                + (current == null ? "it does not exist" : "it already exists (version " + current + ")"));
    }

    @Override
    public void abort() {
        if (state != State.OPEN) {
            return;
        }
        state = State.ABORTED;
        try {
            channel.close();
        } catch (IOException e) {
            // Closing only releases the descriptor; the file is removed below either way.
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            throw new StorageException("cannot remove unfinished " + temp + ": "
                    + LocalObjectStorage.describe(e), e);
        }
    }

    @Override
    public void close() {
        abort();
    }

    private void requireOpen() {
        if (state != State.OPEN) {
            throw new StorageException("write to " + target + " already "
                    + (state == State.COMMITTED ? "committed" : "aborted"));
        }
    }

    private StorageException writeFailed(IOException e) {
        return new StorageException("cannot write " + temp + ": " + LocalObjectStorage.describe(e), e);
    }
}
