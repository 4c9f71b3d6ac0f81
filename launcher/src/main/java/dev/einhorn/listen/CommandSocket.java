package dev.einhorn.listen;

import dev.einhorn.files.FileErrorText;
import dev.einhorn.files.OwnFiles;
import dev.einhorn.startup.StartupException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the command socket as Einhorn does (docs/COMPATIBILITY.md#command-socket-creation-and-lockfile):
 * under the lockfile, refuse a path another master listens on, refuse a non-socket file, blow away a stale
 * socket; then bind it owner-only (0600).
 */
public final class CommandSocket {
    private static final Logger log = LoggerFactory.getLogger(CommandSocket.class);

    private CommandSocket() {}

    public static ServerSocketChannel open(Path socketPath, Path lockfile) throws StartupException {
        try (FileChannel lock = OwnFiles.openLockfile(lockfile)) {
            FileLock held = lock.tryLock();
            if (held == null) {
                throw new StartupException("Another einhorn is starting with the lockfile " + lockfile
                        + "; try again, or pass -f to use another lockfile.");
            }
            clearStalePath(socketPath);
            return bindOwnerOnly(socketPath);
        } catch (IOException e) {
            throw new StartupException("Could not create the command socket at " + socketPath + ": " + FileErrorText.reason(e));
        }
    }

    /**
     * Binds the socket in a private directory (0700) next to the path, makes it 0600 there, and renames it to the
     * path: it is never reachable by others before its mode is set, and no chmod ever goes through a path someone
     * else could swap for a symlink.
     */
    private static ServerSocketChannel bindOwnerOnly(Path socketPath) throws IOException, StartupException {
        Path parent = socketPath.toAbsolutePath().getParent();
        Path privateDir = Files.createTempDirectory(parent, ".einhorn",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path temp = privateDir.resolve("s");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(temp));
            restrictToOwner(temp);
            Files.move(temp, socketPath, StandardCopyOption.ATOMIC_MOVE);
            return server;
        } catch (IOException e) {
            server.close();
            Files.deleteIfExists(temp);
            throw e;
        } finally {
            Files.deleteIfExists(privateDir);
        }
    }

    private static void clearStalePath(Path socketPath) throws StartupException, IOException {
        if (!Files.exists(socketPath, LinkOption.NOFOLLOW_LINKS)) return;
        OwnFiles.refuseSymlink(socketPath); // before connecting through it
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socketPath))) {
            throw new StartupException("Another process (probably another Einhorn) is listening on the Einhorn "
                    + "command socket at " + socketPath + ". If you'd like to run this Einhorn as well, pass a "
                    + "`-d PATH_TO_SOCKET` to change the command socket location.");
        } catch (java.net.SocketException refused) {
            if (!OwnFiles.isSocket(socketPath)) { // a directory, a regular file, a FIFO, a device node
                throw new StartupException("Non-socket file present at Einhorn command socket path " + socketPath
                        + ". Either remove that file and restart Einhorn, or pass a `-d PATH_TO_SOCKET` to change the "
                        + "command socket location.");
            }
            OwnFiles.checkExisting(socketPath, OwnFiles.Kind.SOCKET); // only a socket of ours is blown away
            log.info("Blowing away old Einhorn command socket at {}. This likely indicates a previous Einhorn "
                    + "master which exited uncleanly.", socketPath);
            Files.delete(socketPath);
        }
    }

    private static void restrictToOwner(Path path) throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    }
}
