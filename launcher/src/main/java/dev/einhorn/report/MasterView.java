package dev.einhorn.report;

import dev.einhorn.children.WorkerProbe;
import dev.einhorn.config.Config;
import dev.einhorn.listen.Listeners;
import dev.einhorn.pool.Pool;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What {@code state} and {@code metrics} read of the master. Read-only: a report changes nothing. */
public interface MasterView {
    int pid();

    Config config();

    Pool pool();

    /** The sockets passed to workers as EINHORN_FD_* ({@code -b}, systemd's). */
    List<Listeners.Listener> listeners();

    /** The command the workers are started with now (argv[0] resolved). */
    List<String> workerArgv();

    /** +1 per master re-exec. */
    int generation();

    /** {@code -p}: whether the workers start from a preload archive now. */
    boolean preloaded();

    /** {@code -p}: the archive a worker or standby was started with, if it was preloaded. */
    Optional<Path> archiveOf(int pid);

    /** {@code -p}: /proc facts of a preloaded worker, at most a second old. */
    WorkerProbe.Reading probe(int pid, Path archive);

    /** {@code -p}: what {@code state --json} shows of the preload; null without {@code -p}. */
    Map<String, Object> preloadState();
}
