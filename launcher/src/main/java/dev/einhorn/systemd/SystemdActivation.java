package dev.einhorn.systemd;

import dev.einhorn.config.BindSpec;
import dev.einhorn.listen.Listeners;
import dev.einhorn.startup.StartupException;
import dev.einhorn.posix.FdChannels;
import dev.einhorn.posix.Posix;
import dev.einhorn.posix.PosixException;
import dev.einhorn.posix.Sockets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd socket activation (sd_listen_fds(3)): when {@code LISTEN_PID} is our pid, the {@code LISTEN_FDS}
 * sockets at fds 3, 4, ... (named by {@code LISTEN_FDNAMES}, colon-separated) are adopted instead of bound:
 * <ul>
 *   <li>no {@code -b} at all: every passed socket, in order, becomes EINHORN_FD_0, 1, ...;</li>
 *   <li>{@code -b name:NAME}: the passed socket named NAME ({@code FileDescriptorName=} in the .socket unit);</li>
 *   <li>{@code -b HOST:PORT} or {@code -b /PATH}: the passed socket bound to exactly that address if there is
 *       one, else einhorn binds it itself.</li>
 * </ul>
 * Each adopted fd must be a listening stream socket (getsockopt SO_TYPE, SO_ACCEPTCONN), else the master
 * refuses to start. The master's own pid stays the same through bin/einhorn's exec and the master's re-exec,
 * so LISTEN_PID keeps matching; the LISTEN_* variables are never passed on to workers ({@link #WORKER_HIDDEN}).
 */
public final class SystemdActivation {
    private static final Logger log = LoggerFactory.getLogger(SystemdActivation.class);
    static final int SD_LISTEN_FDS_START = 3;
    /** Variables of systemd's protocols that are the master's alone: dropped from the workers' environment. */
    static final Set<String> WORKER_HIDDEN = dev.einhorn.config.OwnedVariables.SYSTEMD;

    /** One passed fd and its name ("unknown" when LISTEN_FDNAMES is absent, as in sd_listen_fds_with_names). */
    record Passed(int fd, String name) {}

    private SystemdActivation() {}

    /** True for the environment variables workers must not see. */
    static boolean hiddenFromWorkers(String name) {
        return WORKER_HIDDEN.contains(name);
    }

    /** The passed fds if they are for this process; empty otherwise. */
    static List<Passed> passed(Map<String, String> env, int pid) throws StartupException {
        String fds = env.get("LISTEN_FDS");
        if (fds == null || fds.isBlank()) return List.of();
        String forPid = env.get("LISTEN_PID");
        if (forPid == null || !forPid.trim().equals(Integer.toString(pid))) {
            log.info("Ignoring LISTEN_FDS={}: LISTEN_PID is {}, not this process ({})", fds, forPid, pid);
            return List.of();
        }
        int n;
        try {
            n = Integer.parseInt(fds.trim());
        } catch (NumberFormatException e) {
            throw new StartupException("LISTEN_FDS is \"" + fds + "\", not a number");
        }
        if (n < 0 || n > 1024) throw new StartupException("LISTEN_FDS is " + n + ", out of range");
        String[] names = env.getOrDefault("LISTEN_FDNAMES", "").split(":", -1);
        List<Passed> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = env.containsKey("LISTEN_FDNAMES") && i < names.length && !names[i].isEmpty() ? names[i]
                    : "unknown";
            out.add(new Passed(SD_LISTEN_FDS_START + i, name));
        }
        return out;
    }

    /**
     * The {@code -b} listeners: adopted from systemd where it passed them, bound otherwise (in -b order).
     */
    public static List<Listeners.Listener> listeners(List<BindSpec> specs, int backlog, Posix posix,
            Map<String, String> env, int pid) throws StartupException {
        List<Passed> passed = passed(env, pid);
        if (passed.isEmpty()) {
            for (BindSpec spec : specs) {
                if (spec.isNamed()) {
                    throw new StartupException("Could not bind " + spec.address() + ": there is no systemd socket "
                            + "activation (LISTEN_FDS/LISTEN_PID are not set for this process), so no socket named "
                            + spec.fdName());
                }
            }
            return Listeners.bindAll(specs, backlog, posix);
        }
        log.info("systemd passed {} socket(s): {}", passed.size(), passed);
        CHANNELS.get().clear();
        Map<Integer, Listeners.Listener> adopted = new LinkedHashMap<>();
        List<Listeners.Listener> out = new ArrayList<>();
        try {
            if (specs.isEmpty()) {
                for (Passed p : passed) out.add(adopt(p, null, posix, adopted));
                return out;
            }
            for (BindSpec spec : specs) {
                Passed match = null;
                if (spec.isNamed()) {
                    for (Passed p : passed) {
                        if (p.name().equals(spec.fdName()) && !adopted.containsKey(p.fd())) {
                            match = p;
                            break;
                        }
                    }
                    if (match == null) {
                        throw new StartupException("Could not bind " + spec.address() + ": systemd passed no socket "
                                + "named " + spec.fdName() + " (LISTEN_FDNAMES="
                                + env.getOrDefault("LISTEN_FDNAMES", "") + ")");
                    }
                } else {
                    match = byAddress(spec, passed, adopted);
                }
                out.add(match != null ? adopt(match, spec, posix, adopted) : Listeners.bind(spec, backlog, posix));
            }
            for (Passed p : passed) {
                if (!adopted.containsKey(p.fd())) {
                    log.warn("systemd passed fd {} (name {}) but no -b uses it; workers will not get it", p.fd(),
                            p.name());
                }
            }
            return out;
        } catch (StartupException e) {
            for (Listeners.Listener l : out) {
                if (adopted.containsValue(l)) continue; // systemd's: leave the fd open
                try {
                    l.channel().close();
                } catch (IOException ignored) {
                    // failing anyway
                }
            }
            throw e;
        }
    }

    /** Validates and wraps one passed fd. */
    private static Listeners.Listener adopt(Passed p, BindSpec spec, Posix posix,
            Map<Integer, Listeners.Listener> adopted) throws StartupException {
        Sockets.SocketInfo info = validate(p);
        try {
            ServerSocketChannel channel = channel(p, info);
            SocketAddress local = channel.getLocalAddress();
            int port = local instanceof InetSocketAddress inet ? inet.getPort() : 0;
            BindSpec effective = spec != null ? spec : specFor(local);
            if (spec != null && spec.nonBlock()) posix.setNonBlocking(p.fd(), true);
            log.info("Adopting systemd socket fd {} (name {}) {} for {}", p.fd(), p.name(), local, effective.address());
            Listeners.Listener l = new Listeners.Listener(effective, channel, p.fd(), port, info.familyName());
            adopted.put(p.fd(), l);
            return l;
        } catch (IOException | PosixException e) {
            throw new StartupException("Could not adopt systemd socket fd " + p.fd() + " (name " + p.name() + "): "
                    + e.getMessage());
        }
    }

    static Sockets.SocketInfo validate(Passed p) throws StartupException {
        Sockets.SocketInfo info;
        try {
            info = Sockets.get().inspect(p.fd());
        } catch (PosixException e) {
            throw new StartupException("systemd socket fd " + p.fd() + " (name " + p.name() + ") is unusable: "
                    + e.getMessage());
        }
        boolean family = info.domain() == Sockets.AF_INET || info.domain() == Sockets.AF_INET6
                || info.domain() == Sockets.AF_UNIX;
        if (info.type() != Sockets.SOCK_STREAM || !info.listening() || !family) {
            throw new StartupException("systemd socket fd " + p.fd() + " (name " + p.name() + ") is not a listening "
                    + "stream socket (" + info.familyName() + ", " + info.typeName() + ", "
                    + (info.listening() ? "listening" : "not listening") + "): einhorn needs ListenStream= sockets");
        }
        return info;
    }

    /** One channel object per passed fd, however often it is looked at. */
    private static final ThreadLocal<Map<Integer, ServerSocketChannel>> CHANNELS =
            ThreadLocal.withInitial(java.util.HashMap::new);

    private static ServerSocketChannel channel(Passed p, Sockets.SocketInfo info) throws IOException {
        Map<Integer, ServerSocketChannel> cache = CHANNELS.get();
        ServerSocketChannel ch = cache.get(p.fd());
        if (ch == null || !ch.isOpen()) {
            ch = FdChannels.serverSocket(p.fd(), info.domain() == Sockets.AF_UNIX);
            cache.put(p.fd(), ch);
        }
        return ch;
    }

    /** The passed socket bound to exactly the address of an ordinary -b spec, if any. */
    private static Passed byAddress(BindSpec spec, List<Passed> passed, Map<Integer, Listeners.Listener> adopted)
            throws StartupException {
        for (Passed p : passed) {
            if (adopted.containsKey(p.fd())) continue;
            Sockets.SocketInfo info;
            try {
                info = Sockets.get().inspect(p.fd());
            } catch (PosixException e) {
                continue;
            }
            if (info.type() != Sockets.SOCK_STREAM || !info.listening()) continue;
            try {
                if (spec.isUnix() && info.domain() == Sockets.AF_UNIX) {
                    SocketAddress local = channel(p, info).getLocalAddress();
                    Path want = Path.of(spec.unixPath()).toAbsolutePath().normalize();
                    if (local instanceof UnixDomainSocketAddress u && u.getPath().toAbsolutePath().normalize()
                            .equals(want)) {
                        return p;
                    }
                } else if (!spec.isUnix() && info.domain() != Sockets.AF_UNIX && spec.port() != 0) {
                    SocketAddress local = channel(p, info).getLocalAddress();
                    if (local instanceof InetSocketAddress inet && inet.getPort() == spec.port()
                            && inet.getAddress().equals(InetAddress.getByName(spec.host()))) {
                        return p;
                    }
                }
            } catch (IOException e) {
                // not comparable: not a match
            }
        }
        return null;
    }

    private static BindSpec specFor(SocketAddress local) {
        if (local instanceof UnixDomainSocketAddress u) {
            return new BindSpec(null, 0, List.of(), false, false, false, u.getPath().toString(), null, null);
        }
        InetSocketAddress inet = (InetSocketAddress) local;
        return new BindSpec(inet.getAddress().getHostAddress(), inet.getPort(), List.of(), false, false, false);
    }
}
