package dev.einhorn.files;

import dev.einhorn.listen.UnixListeners;
import dev.einhorn.startup.StartupException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The files the master creates at paths the user names (pidfile, lockfile, command socket), which often live in a
 * directory other users can write to (docs/DESIGN.md, "Start-up"). Whatever is found at such a path must be a file
 * of the expected kind owned by this user: a symlink, a FIFO, a directory or another user's file is refused, never
 * followed, so nothing outside the named paths is ever written, truncated, chmod'ed or removed.
 */
public final class OwnFiles {
    private OwnFiles() {}

    /** What may already be at a path: a regular file (pidfile, lockfile) or a UNIX socket (command socket). */
    public enum Kind { REGULAR_FILE, SOCKET }

    /**
     * Refuses what is at {@code path}, if anything, unless it is a {@code kind} owned by this user.
     *
     * @return whether something is there
     */
    public static boolean checkExisting(Path path, Kind kind) throws StartupException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException absent) {
            return false;
        } catch (IOException e) {
            throw refused(path, "cannot inspect it: " + FileErrorText.reason(e));
        }
        if (attrs.isSymbolicLink()) throw refused(path, "it is a symbolic link");
        boolean expected = kind == Kind.REGULAR_FILE ? attrs.isRegularFile() : isSocket(path);
        if (!expected) throw refused(path, kind == Kind.REGULAR_FILE ? "it is not a regular file" : "it is not a socket");
        checkOwner(path, uid(path, LinkOption.NOFOLLOW_LINKS));
        return true;
    }

    /**
     * Whether the path itself (not a symlink's target) is a UNIX socket. Not {@code isOther()}, which is also true
     * of a FIFO or a device node: {@code -d /dev/null} run as root took /dev/null for a stale socket and deleted it.
     */
    public static boolean isSocket(Path path) {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & UnixListeners.S_IFMT) == UnixListeners.S_IFSOCK;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    public static void refuseSymlink(Path path) throws StartupException {
        if (Files.isSymbolicLink(path)) throw refused(path, "it is a symbolic link");
    }

    /**
     * Opens (creating it if need be) the lockfile without following a symlink, checks that the file opened is a
     * regular file of ours, and makes it owner-only. Read-write, so that a FIFO swapped in never blocks the open.
     */
    public static FileChannel openLockfile(Path path) throws StartupException {
        checkExisting(path, Kind.REGULAR_FILE);
        FileChannel lock;
        try {
            lock = FileChannel.open(path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw refused(path, "cannot open it: " + FileErrorText.reason(e)); // O_NOFOLLOW: a symlink put there meanwhile
        }
        try {
            // what was opened, not what the path names now: /proc/self/fd/N is the open file itself
            Path opened = Path.of("/proc/self/fd/" + fdOf(lock));
            if (!Files.isRegularFile(opened)) throw refused(path, "it is not a regular file");
            checkOwner(path, uid(opened));
            Files.setPosixFilePermissions(opened, PosixFilePermissions.fromString("rw-------"));
            return lock;
        } catch (StartupException | IOException | RuntimeException e) {
            closeQuietly(lock);
            if (e instanceof StartupException s) throw s;
            throw refused(path, "cannot use it: " + (e instanceof IOException io ? FileErrorText.reason(io) : e.getMessage()));
        }
    }

    /**
     * Writes a whole file by writing a new file next to it and renaming it over the path: a reader never sees a
     * partial file, and a symlink at the path is replaced, never followed.
     */
    static void writeAtomically(Path path, byte[] content) throws StartupException {
        checkExisting(path, Kind.REGULAR_FILE);
        Path dir = path.toAbsolutePath().getParent();
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "." + path.getFileName() + ".", ".tmp"); // O_EXCL, mode 0600
            Files.write(temp, content, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> perms = PosixFilePermissions.fromString("rw-r--r--");
            Files.setPosixFilePermissions(temp, perms);
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
            deleteQuietly(temp);
            throw refused(path, "cannot replace it: " + FileErrorText.reason(e));
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new StartupException("Could not write " + path + ": " + FileErrorText.reason(e));
        }
    }

    /** Removes the path if it still is a {@code kind} of ours (at exit); anything else is left alone. */
    public static void removeIfOurs(Path path, Kind kind) {
        try {
            if (checkExisting(path, kind)) Files.delete(path);
        } catch (StartupException | IOException ignored) {
            // replaced by something that is not ours: not ours to remove
        }
    }

    /**
     * The fd of a file channel ({@code FileChannelImpl.fd}, a {@link java.io.FileDescriptor}); needs the
     * {@code --add-opens} of java.base/sun.nio.ch and java.base/java.io that bin/einhorn passes.
     */
    private static int fdOf(FileChannel channel) throws IOException {
        try {
            java.lang.reflect.Field fd = channel.getClass().getDeclaredField("fd");
            fd.setAccessible(true);
            java.io.FileDescriptor descriptor = (java.io.FileDescriptor) fd.get(channel);
            java.lang.reflect.Field number = java.io.FileDescriptor.class.getDeclaredField("fd");
            number.setAccessible(true);
            return number.getInt(descriptor);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot read the fd of the open file (" + e + ")");
        }
    }

    /** This process's uid: the owner of its /proc entry. */
    public static long ownUid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }

    private static long uid(Path path, LinkOption... options) throws StartupException {
        try {
            return ((Number) Files.getAttribute(path, "unix:uid", options)).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            throw refused(path, "cannot read its owner: " + (e instanceof IOException io ? FileErrorText.reason(io) : e.getMessage()));
        }
    }

    private static void checkOwner(Path path, long owner) throws StartupException {
        long ours;
        try {
            ours = ownUid();
        } catch (IOException e) {
            throw refused(path, "cannot tell which user this is: " + FileErrorText.reason(e));
        }
        if (owner != ours) throw refused(path, "it is owned by uid " + owner + ", not by this user (uid " + ours + ")");
    }

    private static StartupException refused(Path path, String why) {
        return new StartupException("refusing to use " + path + ": " + why);
    }

    private static void closeQuietly(FileChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // refusing it anyway
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temp file of ours; nothing else to do
        }
    }
}
