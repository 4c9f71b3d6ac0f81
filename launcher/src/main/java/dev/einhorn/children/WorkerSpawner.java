package dev.einhorn.children;

import dev.einhorn.config.Config;
import dev.einhorn.listen.Listeners;
import dev.einhorn.log.EinhornLog;
import dev.einhorn.pool.WorkerHost.SpawnException;
import dev.einhorn.posix.Posix;
import dev.einhorn.posix.PosixException;
import dev.einhorn.posix.SpawnRequest;
import dev.einhorn.preload.WorkerLaunch;
import dev.einhorn.protocol.RubyInspect;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Starts a worker process: what a worker gets (README, "What a worker gets"): the {@code -b} sockets as fds 3, 4,
 * ... with {@code EINHORN_FD_*}, the {@code srv:} sockets after them, the other {@code EINHORN_*} variables over
 * the master's environment, with {@code -g} a connection to the command socket ({@code EINHORN_SOCK_FD}), and
 * with {@code --nice} its nice level. A standby ({@code --standby}) gets its park and ready pipes instead of an
 * index.
 */
public final class WorkerSpawner {
    private final Config config;
    private final Posix posix;
    private final int masterPid;
    private final List<Listeners.Listener> listeners;
    /** Sockets of the deprecated {@code srv:} template: inherited, but not in EINHORN_FD_*. */
    private final List<Listeners.Listener> legacyListeners;
    /** The master's environment less what einhorn sets per worker. */
    private final Map<String, String> baseEnv;

    public WorkerSpawner(Config config, Posix posix, int masterPid, List<Listeners.Listener> listeners,
            List<Listeners.Listener> legacyListeners, Map<String, String> baseEnv) {
        this.config = config;
        this.posix = posix;
        this.masterPid = masterPid;
        this.listeners = listeners;
        this.legacyListeners = legacyListeners;
        this.baseEnv = baseEnv;
    }

    /**
     * Starts {@code launch}'s command as worker {@code index} or, with {@code pipes}, as a standby that has no
     * index yet; returns its pid.
     */
    public int spawn(WorkerLaunch launch, int index, StandbyPipes.Opening pipes) throws SpawnException {
        List<Integer> fds = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>(baseEnv);
        for (int i = 0; i < listeners.size(); i++) {
            fds.add(listeners.get(i).fd());
            env.put("EINHORN_FD_" + i, Integer.toString(SpawnRequest.childFd(i)));
            env.put("EINHORN_FD_FAMILY_" + i, listeners.get(i).family());
        }
        legacyListeners.forEach(l -> fds.add(l.fd()));
        env.put("EINHORN_FD_COUNT", Integer.toString(listeners.size()));
        env.put("EINHORN_FDS", IntStream.range(0, listeners.size())
                .mapToObj(i -> Integer.toString(SpawnRequest.childFd(i))).collect(Collectors.joining(" ")));
        env.put("EINHORN_SOCK_PATH", config.socketPath().toString());
        env.put("EINHORN_MASTER_PID", Integer.toString(masterPid));
        if (pipes == null) env.put("EINHORN_CHILD_INDEX", Integer.toString(index));
        env.put("EINHORN_GRACEFUL_SIGNAL", config.gracefulSignal());
        List<String> argv = launch.argv();
        env.putAll(launch.extraEnv());
        SocketChannel commandFd = null;
        try {
            if (config.commandSocketAsFd()) {
                commandFd = SocketChannel.open(UnixDomainSocketAddress.of(config.socketPath()));
                env.put("EINHORN_SOCK_FD", Integer.toString(SpawnRequest.childFd(fds.size())));
                fds.add(posix.fdOf(commandFd));
            }
            if (pipes != null) {
                env.put("EINHORN_STANDBY_FD", Integer.toString(SpawnRequest.childFd(fds.size())));
                fds.add(pipes.parkRead());
                env.put("EINHORN_STANDBY_READY_FD", Integer.toString(SpawnRequest.childFd(fds.size())));
                fds.add(pipes.readyWrite());
            }
            int child = posix.spawn(new SpawnRequest(argv.get(0), argv, env, fds));
            if (config.niceWorker() != null) Renice.renice(posix, child, config.niceWorker(), "worker " + child);
            EinhornLog.logFor(pipes == null ? "WORKER" : "STANDBY", child, EinhornLog.INFO,
                    "About to exec " + RubyInspect.inspect(argv));
            return child;
        } catch (PosixException | IOException e) {
            throw new SpawnException("could not exec " + argv.get(0) + ": " + e.getMessage());
        } finally {
            if (commandFd != null) {
                try {
                    commandFd.close();
                } catch (IOException ignored) {
                    // the worker holds its own copy
                }
            }
        }
    }
}
