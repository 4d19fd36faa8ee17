package io.pgfreezer.engine;

import io.pgfreezer.format.ArchiveFormat;
import io.pgfreezer.format.ArchivedRows;
import io.pgfreezer.format.FormatException;
import io.pgfreezer.format.ValueMismatchException;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.storage.ObjectInfo;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.StorageException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Proves that the object in storage is the file that was written, before anything is deleted:
 * same size, same SHA-256 over every byte, every value decodes to the exported row count, and the
 * decoded values, encoded back into PostgreSQL's binary form, have the digest of the values
 * PostgreSQL sent at export (so a wrong conversion fails the batch, not only a damaged byte).
 * The object is read back from storage into a temporary file, so memory stays bounded.
 */
final class Verifier {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Verifier.class);
    private final ObjectStorage storage;
    private final ArchiveFormat format;
    private final Path tempDir;

    Verifier(ObjectStorage storage, ArchiveFormat format, Path tempDir) {
        this.storage = storage;
        this.format = format;
        this.tempDir = tempDir;
    }

    void verify(BatchManifest m) {
        String key = m.parquetPath();
        String uri = storage.uri(key);
        Optional<ObjectInfo> info = storage.stat(key);
        if (info.isEmpty()) {
            throw new BatchFailedException("Verification failed: " + uri + " does not exist");
        }
        if (m.parquetSizeBytes() != null && info.get().size() != m.parquetSizeBytes()) {
            throw new BatchFailedException("Verification failed: " + uri + " has " + info.get().size()
                    + " bytes, expected " + m.parquetSizeBytes());
        }
        Path copy = null;
        try {
            copy = Files.createTempFile(tempDir, "pg-freezer-verify-", ".parquet");
            String sha = download(key, copy);
            // Manifests written by the original tool carry no checksum; size and decoding still apply.
            if (m.parquetSha256() != null && !m.parquetSha256().equals(sha)) {
                throw new BatchFailedException("Verification failed: " + uri + " has SHA-256 " + sha
                        + ", expected " + m.parquetSha256() + " (the stored object is not the file that was written)");
            }
            long rows;
            try {
                rows = format.decodeAll(copy);
            } catch (ValueMismatchException e) {
                throw new BatchFailedException("Verification failed: the values archived in " + uri
                        + " are not the values PostgreSQL sent: " + e.getMessage(), e);
            } catch (FormatException e) {
                throw new BatchFailedException("Verification failed: " + uri + " does not decode: " + e.getMessage(), e);
            }
            if (rows != m.rowCount()) {
                throw new BatchFailedException("Verification failed: " + uri + " has " + rows + " rows, expected "
                        + m.rowCount());
            }
        } catch (IOException e) {
            // A download cut short is the network's fault, not the object's: worth another attempt.
            throw new StorageException("reading back " + uri + " into " + tempDir + " failed: " + e.getMessage(), e,
                    true);
        } finally {
            deleteQuietly(copy);
        }
    }

    /** What an object found in storage holds, read back whole: who wrote it and whether it decodes. */
    record Inspection(String key, long size, String sha256Hex, long rows, Map<String, String> footer) {
    }

    /**
     * Reads an object back and decodes it completely.
     *
     * @throws FormatException when it does not decode
     */
    Inspection inspect(String key) {
        String uri = storage.uri(key);
        Path copy = null;
        try {
            copy = Files.createTempFile(tempDir, "pg-freezer-inspect-", ".parquet");
            String sha = download(key, copy);
            long size = Files.size(copy);
            Map<String, String> footer = format.footerMetadata(copy);
            long rows = format.decodeAll(copy);
            return new Inspection(key, size, sha, rows, footer);
        } catch (IOException e) {
            // A download cut short is the network's fault, not the object's: worth another attempt.
            throw new StorageException("reading back " + uri + " into " + tempDir + " failed: " + e.getMessage(), e,
                    true);
        } finally {
            deleteQuietly(copy);
        }
    }

    /**
     * Reads an archived object back and adds every row of it to {@code into}; see
     * {@link ArchiveFormat#addArchivedRows}.
     *
     * @throws FormatException when its rows cannot be compared with the table's
     */
    long addArchivedRows(String key, List<String> columns, List<String> wireSpecs, ArchivedRows into) {
        String uri = storage.uri(key);
        Path copy = null;
        try {
            copy = Files.createTempFile(tempDir, "pg-freezer-archived-", ".parquet");
            download(key, copy);
            return format.addArchivedRows(copy, uri, columns, wireSpecs, into);
        } catch (IOException e) {
            throw new StorageException("reading back " + uri + " into " + tempDir + " failed: " + e.getMessage(), e,
                    true);
        } finally {
            deleteQuietly(copy);
        }
    }

    private String download(String key, Path target) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = storage.open(key);
             OutputStream out = new DigestOutputStream(Files.newOutputStream(target), digest)) {
            in.transferTo(out);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // Not worth failing a verified batch over; the operator sees the leftover file named.
            log.warn("could not remove temporary copy {}: {}", p, e.getMessage());
        }
    }
}
