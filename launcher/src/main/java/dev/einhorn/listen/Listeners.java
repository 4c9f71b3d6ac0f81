package dev.einhorn.listen;

import dev.einhorn.config.BindSpec;
import dev.einhorn.startup.StartupException;
import dev.einhorn.posix.Posix;
import dev.einhorn.posix.PosixException;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds the {@code -b} listening sockets, once, for the master's whole life. */
public final class Listeners {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);

    /**
     * A bound socket: its spec, channel, fd, the real port (0 for UNIX), its family for EINHORN_FD_FAMILY_n,
     * and the socket file the master created (a UNIX {@code -b}; removed at exit), else null.
     */
    public record Listener(BindSpec spec, ServerSocketChannel channel, int fd, int port, String family, Path socketFile) {
        public Listener(BindSpec spec, ServerSocketChannel channel, int fd, int port, String family) {
            this(spec, channel, fd, port, family, null);
        }
    }

    private Listeners() {}

    public static List<Listener> bindAll(List<BindSpec> specs, int backlog, Posix posix) throws StartupException {
        List<Listener> bound = new ArrayList<>();
        try {
            for (BindSpec spec : specs) bound.add(bind(spec, backlog, posix));
            return bound;
        } catch (StartupException e) {
            for (Listener l : bound) {
                try {
                    l.channel().close();
                } catch (IOException ignored) {
                    // failing anyway
                }
            }
            throw e;
        }
    }

    public static Listener bind(BindSpec spec, int backlog, Posix posix) throws StartupException {
        if (spec.isUnix()) return UnixListeners.bind(spec, backlog, posix);
        if (spec.isNamed()) {
            throw new StartupException("Could not bind " + spec.address() + ": systemd did not pass a socket "
                    + "named " + spec.fdName() + " (LISTEN_FDS/LISTEN_FDNAMES; see docs/OPERATIONS.md)");
        }
        log.info("Binding to {} with flags {}", spec.address(), flagList(spec));
        try {
            InetAddress address = InetAddress.getByName(spec.host());
            boolean v6 = address instanceof Inet6Address;
            ServerSocketChannel channel = ServerSocketChannel.open(v6 ? StandardProtocolFamily.INET6
                    : StandardProtocolFamily.INET);
            try {
                // The JDK turns SO_REUSEADDR on by default; Einhorn sets it only for the r flag.
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, spec.reuseAddr());
                if (spec.reusePort()) channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                channel.bind(new InetSocketAddress(address, spec.port()), backlog);
                int fd = posix.fdOf(channel);
                posix.setNonBlocking(fd, spec.nonBlock());
                int port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
                return new Listener(spec, channel, fd, port, v6 ? "AF_INET6" : "AF_INET");
            } catch (IOException | PosixException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException | PosixException e) {
            throw new StartupException("Could not bind " + spec.address() + ": " + e.getMessage());
        }
    }

    /** ["r", "n"], as Einhorn logs flags. */
    static String flagList(BindSpec spec) {
        return spec.flags().stream().map(f -> "\"" + f + "\"").collect(Collectors.joining(", ", "[", "]"));
    }

    /** Removes the socket files of UNIX {@code -b} sockets (at the master's exit, never on a reload). */
    public static void removeSocketFiles(List<Listener> listeners) {
        for (Listener l : listeners) {
            if (l.socketFile() != null) UnixListeners.removeSocketFile(l.socketFile());
        }
    }
}
