package io.pgfreezer.fetch;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * {@code fetch --output}: UTF-8 text written to a hidden temporary file next to the target and
 * renamed onto it only by {@link #commit()}, so a fetch that fails, or is interrupted, never
 * leaves a partial file under the name asked for (and never spoils a file already there).
 * Closing without commit deletes the temporary file.
 */
public final class AtomicOutputFile implements AutoCloseable {

    private static final int BUFFER = 64 * 1024;

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final Writer writer;
    private boolean done;

    private AtomicOutputFile(Path target, Path temp, FileChannel channel) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.writer = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel),
                StandardCharsets.UTF_8), BUFFER);
    }

    /** @throws FetchException when the target is a directory or its directory cannot be written */
    public static AtomicOutputFile create(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            throw new FetchException("--output " + target + " is a directory");
        }
        Path directory = absolute.getParent();
        Path temp = directory.resolve("." + absolute.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8)
                + ".tmp");
        try {
            FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return new AtomicOutputFile(absolute, temp, channel);
        } catch (NoSuchFileException e) {
            throw new FetchException("cannot write --output " + target + ": directory " + directory + " does not exist");
        } catch (IOException e) {
            throw new FetchException("cannot write --output " + target + " in " + directory + ": " + reason(e), e);
        }
    }

    public Writer writer() {
        return writer;
    }

    /** Makes the complete file visible under the target name, replacing any file there. */
    public void commit() {
        try {
            writer.flush();
            channel.force(true);
            writer.close();
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } catch (IOException e) {
            throw new FetchException("cannot write --output " + target + ": " + reason(e), e);
        }
    }

    @Override
    public void close() {
        if (done) {
            return;
        }
        done = true;
        try {
            writer.close();
        } catch (IOException e) {
            // The file is being thrown away; only its removal matters.
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // Hidden and named .tmp: recognisable as an abandoned partial output.
        }
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
