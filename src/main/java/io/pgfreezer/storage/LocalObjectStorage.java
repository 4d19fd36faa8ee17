package io.pgfreezer.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code protocol: file}: a local directory plays the bucket's role and keys map to files under it.
 * A write goes to a hidden temp file next to its target and is renamed into place atomically after
 * an fsync, so a reader sees either no file or the complete file under its final name, also after
 * a crash. Listing skips those temp files.
 */
public final class LocalObjectStorage implements ObjectStorage {

    private final Path root;

    public LocalObjectStorage(Path root) {
        if (root == null) {
            throw new StorageException("storage.path is required for protocol: file");
        }
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new StorageException("cannot create storage directory " + this.root + ": "
                    + describe(e), e);
        }
    }

    /** The directory that holds every object. */
    public Path root() {
        return root;
    }

    @Override
    public ObjectOutput create(String key, Precondition condition) {
        return new LocalObjectOutput(key, resolve(key), condition);
    }

    @Override
    public String put(String key, byte[] data, String contentType, Precondition condition) {
        // File systems keep no content type; the file name's extension is what readers go by.
        try (ObjectOutput out = create(key, condition)) {
            out.write(data);
            return out.commit().version();
        } catch (IOException e) {
            throw new StorageException("cannot write " + uri(key) + ": " + describe(e), e);
        }
    }

    @Override
    public Optional<VersionedBytes> read(String key) {
        Path file = resolve(key);
        if (Files.isDirectory(file)) {
            return Optional.empty();
        }
        // Open once and take the version from the open file, so content and version belong to
        // each other even if the name is replaced meanwhile.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            byte[] data = Channels.newInputStream(channel).readAllBytes();
            BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class);
            String version = versionOf(attributes);
            if (!version.equals(versionOf(after))) {
                // Replaced while we read: report a version no write can match, so a conditional
                // write based on this read fails instead of trusting stale content.
                version = version + "-superseded";
            }
            return Optional.of(new VersionedBytes(data, version));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("cannot read " + file + ": " + describe(e), e);
        }
    }

    /**
     * Identifies one published file: every write publishes a new file (a new inode) under the
     * name, so inode, size and modification time together change with every write.
     */
    static String versionOf(BasicFileAttributes attributes) {
        Object fileKey = attributes.fileKey();
        String identity = fileKey == null ? "" : Integer.toHexString(fileKey.hashCode()) + "-";
        return identity + Long.toHexString(attributes.size()) + "-"
                + Long.toHexString(attributes.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
    }

    /** The version of the file at {@code file}, or null when there is none. */
    static String currentVersion(Path file) throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.isRegularFile() ? versionOf(attributes) : null;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public InputStream open(String key) {
        Path file = resolve(key);
        if (Files.isDirectory(file)) {
            throw new ObjectNotFoundException(file.toString());
        }
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(file.toString());
        } catch (IOException e) {
            throw new StorageException("cannot read " + file + ": " + describe(e), e);
        }
    }

    @Override
    public InputStream openRange(String key, long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative range: offset " + offset + ", length " + length);
        }
        Path file = resolve(key);
        if (Files.isDirectory(file)) {
            throw new ObjectNotFoundException(file.toString());
        }
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            channel.position(offset);
            return new BoundedInputStream(Channels.newInputStream(channel), length);
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(file.toString());
        } catch (IOException e) {
            throw new StorageException("cannot read " + file + ": " + describe(e), e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        Path file = resolve(key);
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                return Optional.empty();
            }
            return Optional.of(info(key, attributes));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("cannot read attributes of " + file + ": " + describe(e), e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        String validPrefix = ObjectKeys.requireValidPrefix(prefix);
        // Walk only the deepest directory the prefix fully names; the rest of the prefix filters.
        int lastSlash = validPrefix.lastIndexOf('/');
        Path start = lastSlash < 0 ? root : root.resolve(validPrefix.substring(0, lastSlash));
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        List<ObjectInfo> found = new ArrayList<>();
        try {
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (attributes.isRegularFile() && !LocalObjectOutput.isTempFile(file)) {
                        String key = keyOf(file);
                        if (key.startsWith(validPrefix)) {
                            found.add(info(key, attributes));
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    // A temp file renamed or removed by a concurrent writer while we walk.
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (IOException | UncheckedIOException e) {
            IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            throw new StorageException("cannot list " + start + ": " + describe(cause), cause);
        }
        found.sort((a, b) -> ObjectKeys.ORDER.compare(a.key(), b.key()));
        return List.copyOf(found);
    }

    @Override
    public int discardUnfinished(String key) {
        Path target = resolve(key);
        Path dir = target.getParent();
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        String prefix = "." + target.getFileName() + ".";
        int removed = 0;
        try (var siblings = Files.list(dir)) {
            for (Path p : siblings.toList()) {
                if (p.getFileName().toString().startsWith(prefix) && LocalObjectOutput.isTempFile(p)
                        && Files.deleteIfExists(p)) {
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot clean unfinished writes of " + target + ": " + describe(e), e);
        }
        return removed;
    }

    @Override
    public void delete(String key) {
        Path file = resolve(key);
        try {
            if (!Files.isDirectory(file)) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new StorageException("cannot delete " + file + ": " + describe(e), e);
        }
    }

    @Override
    public String uri(String key) {
        return resolve(key).toString();
    }

    @Override
    public void close() {
        // Nothing held open: every stream is owned by its caller.
    }

    private Path resolve(String key) {
        ObjectKeys.requireValidKey(key);
        Path file = root.resolve(key).normalize();
        if (!file.startsWith(root) || file.equals(root)) {
            throw new StorageException("invalid object key '" + key + "': it leaves " + root);
        }
        if (LocalObjectOutput.isTempFile(file)) {
            throw new StorageException("invalid object key '" + key
                    + "': names of the form .NAME.RANDOM.tmp are reserved for unfinished writes");
        }
        return file;
    }

    private String keyOf(Path file) {
        Path relative = root.relativize(file);
        StringBuilder key = new StringBuilder();
        for (Path segment : relative) {
            if (key.length() > 0) {
                key.append('/');
            }
            key.append(segment);
        }
        return key.toString();
    }

    private static ObjectInfo info(String key, BasicFileAttributes attributes) {
        return new ObjectInfo(key, attributes.size(), attributes.lastModifiedTime().toInstant(), versionOf(attributes));
    }

    /** The part of an I/O failure an operator can act on, without a stack trace. */
    static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** Makes a rename durable: the new directory entry survives a crash only once the directory is synced. */
    static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems cannot open or sync a directory; the rename itself is still atomic.
        }
    }
}
