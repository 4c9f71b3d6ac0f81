package dev.einhorn.preload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Opening the preload cache's files from the master, which does it on its loop thread: only regular files (a
 * symlink to one is fine), and the small ones only up to a bound. Anything else in a cache file's place would
 * stop the master: a FIFO blocks open(2) until someone opens its other end, that is for good (the command
 * socket unanswered, signals unhandled); a symlink to /dev/zero or to a huge file fills the master's 64 MB
 * heap. Such a file is reported as an IOException, which every caller already treats as a missing or bad file.
 * A file swapped for a FIFO in the instant between the check and the open is not caught.
 */
final class CacheFiles {
    /** A {@code .sum}, the training's {@code .result}, the hashing child's output. */
    static final int SMALL = 64 * 1024;
    /** The {@code file-hashes} memo: a line per hashed class-path file. */
    static final int MEMO = 4 * 1024 * 1024;
    /** How much of the end of a training log is read for its last line. */
    static final int LOG_TAIL = 64 * 1024;

    private CacheFiles() {
    }

    /** Throws unless {@code file} is a regular file (following symlinks); returns its attributes. */
    static BasicFileAttributes requireRegular(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        if (!a.isRegularFile()) throw new IOException(file + " is not a regular file");
        return a;
    }

    /** The text of a regular file of at most {@code max} bytes. */
    static String readSmall(Path file, int max) throws IOException {
        if (requireRegular(file).size() > max) throw new IOException(file + " is larger than " + max + " bytes");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(max + 1); // it may have grown since
            if (b.length > max) throw new IOException(file + " is larger than " + max + " bytes");
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    /** An input stream on a regular file (an archive being hashed). */
    static InputStream open(Path file) throws IOException {
        requireRegular(file);
        return Files.newInputStream(file);
    }

    /** The last non-blank line of a log, from at most its last {@link #LOG_TAIL} bytes; empty when none. */
    static String lastLine(Path log) {
        try {
            requireRegular(log);
            try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
                long size = ch.size();
                ByteBuffer tail = ByteBuffer.allocate((int) Math.min(size, LOG_TAIL));
                ch.position(size - tail.capacity());
                while (tail.hasRemaining() && ch.read(tail) > 0) {
                    // until the tail is read (or the file shrank)
                }
                String text = new String(tail.array(), 0, tail.position(), StandardCharsets.UTF_8);
                String[] lines = text.split("\n");
                for (int i = lines.length - 1; i >= 0; i--) {
                    if (!lines[i].isBlank()) return lines[i].trim();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // no log, or not one to read
        }
        return "";
    }

    /**
     * Writes a temporary file of the cache afresh: whatever has its name is removed first and the file is created
     * with O_EXCL, so that a FIFO put in its place (the names are predictable: a pid) fails the write instead of
     * blocking it.
     */
    static void writeNew(Path file, CharSequence text) throws IOException {
        Files.deleteIfExists(file);
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /** Opens (creating it) a lock file for writing; refuses anything but a regular file already there. */
    static FileChannel openLock(Path file) throws IOException {
        if (Files.exists(file) || Files.isSymbolicLink(file)) requireRegular(file);
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }
}
