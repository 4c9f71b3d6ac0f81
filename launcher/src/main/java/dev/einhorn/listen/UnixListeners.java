package dev.einhorn.listen;

import dev.einhorn.config.BindSpec;
import dev.einhorn.startup.StartupException;
import dev.einhorn.posix.Posix;
import dev.einhorn.posix.PosixException;
import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UNIX-domain {@code -b /path/app.sock[,mode=0660][,n]} listening sockets. Before binding, whatever is at the
 * path is looked at: nothing, fine; a socket nobody listens on (a master that died uncleanly) is removed; a
 * socket with a live listener is an error (another server has it); anything else (a file, a directory) is
 * refused, never deleted. {@code mode=} sets the file's permission bits right after bind (until then the umask
 * applies: put the socket in a directory only the service can enter if that matters). The file is removed when
 * the master exits.
 */
public final class UnixListeners {
    private static final Logger log = LoggerFactory.getLogger(UnixListeners.class);
    public static final int S_IFMT = 0170000, S_IFSOCK = 0140000;

    private UnixListeners() {}

    static Listeners.Listener bind(BindSpec spec, int backlog, Posix posix) throws StartupException {
        Path path = Path.of(spec.unixPath()).toAbsolutePath().normalize();
        log.info("Binding to {} with flags {}", spec.unixPath(), Listeners.flagList(spec));
        clearStale(spec, path);
        ServerSocketChannel channel = null;
        try {
            channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(path), backlog);
            if (spec.unixMode() != null) Files.setPosixFilePermissions(path, permissions(spec.unixMode()));
            int fd = posix.fdOf(channel);
            posix.setNonBlocking(fd, spec.nonBlock());
            return new Listeners.Listener(spec, channel, fd, 0, "AF_UNIX", path);
        } catch (IOException | PosixException | RuntimeException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // failing anyway
                }
                removeSocketFile(path);
            }
            throw new StartupException("Could not bind " + spec.unixPath() + ": " + e.getMessage());
        }
    }

    /** Refuses a live socket or a non-socket at the path; removes a stale socket. */
    static void clearStale(BindSpec spec, Path path) throws StartupException {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException | UnsupportedOperationException e) {
            throw new StartupException("Could not bind " + spec.unixPath() + ": cannot inspect " + path + ": " + e);
        }
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new StartupException("Could not bind " + spec.unixPath() + ": " + path
                    + " exists and is not a socket; remove it or choose another path");
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            throw new StartupException("Could not bind " + spec.unixPath() + ": another process is listening on "
                    + path);
        } catch (SocketException refused) {
            log.info("Removing stale socket {} (nothing listens on it: {})", path, refused.getMessage());
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                throw new StartupException("Could not bind " + spec.unixPath() + ": cannot remove the stale socket "
                        + path + ": " + e);
            }
        } catch (IOException e) {
            throw new StartupException("Could not bind " + spec.unixPath() + ": cannot probe " + path + ": " + e);
        }
    }

    /** Removes a socket file we created, if it is still a socket. */
    static void removeSocketFile(Path path) {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & S_IFMT) == S_IFSOCK) Files.deleteIfExists(path);
        } catch (IOException | RuntimeException ignored) {
            // gone already, or not ours to remove
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) out.add(bits[i]);
        }
        return out;
    }
}
