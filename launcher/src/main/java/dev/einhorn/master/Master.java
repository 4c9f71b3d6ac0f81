package dev.einhorn.master;

import dev.einhorn.children.KillWatchdog;
import dev.einhorn.children.Renice;
import dev.einhorn.children.StandbyPipes;
import dev.einhorn.children.WorkerCommand;
import dev.einhorn.children.WorkerProbe;
import dev.einhorn.children.WorkerSpawner;
import dev.einhorn.commands.CommandServer;
import dev.einhorn.commands.Commands;
import dev.einhorn.commands.Connection;
import dev.einhorn.commands.MasterControl;
import dev.einhorn.commands.UpgradeQueue;
import dev.einhorn.config.Config;
import dev.einhorn.listen.Listeners;
import dev.einhorn.log.EinhornLog;
import dev.einhorn.pool.Clock;
import dev.einhorn.pool.Pool;
import dev.einhorn.pool.PoolSettings;
import dev.einhorn.pool.WorkerHost;
import dev.einhorn.posix.ExitStatus;
import dev.einhorn.posix.Posix;
import dev.einhorn.posix.PosixException;
import dev.einhorn.posix.Signals;
import dev.einhorn.preload.Preloader;
import dev.einhorn.preload.WorkerLaunch;
import dev.einhorn.protocol.Replies;
import dev.einhorn.reexec.Handover;
import dev.einhorn.reexec.Reload;
import dev.einhorn.reexec.ReloadHost;
import dev.einhorn.report.MasterView;
import dev.einhorn.report.Metrics;
import dev.einhorn.report.StateDump;
import dev.einhorn.report.StateJson;
import dev.einhorn.systemd.SystemdNotify;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master: one thread, one {@link Selector}. Read {@link #loop()} top to bottom: tick the pool, sleep until
 * a socket, a signal, a child exit or the pool's next timer wakes us, handle that, repeat.
 *
 * <p>Each room sees the master through its own narrow interface: the pool through {@link WorkerHost}, the
 * commands through {@link MasterControl}, a re-exec through {@link ReloadHost}, {@code state} and {@code metrics}
 * through {@link MasterView} (docs/DESIGN.md, "Map").
 */
public final class Master implements WorkerHost, MasterControl, ReloadHost, MasterView {
    private static final Logger log = LoggerFactory.getLogger(Master.class);

    private final Config config;
    private final Posix posix;
    private final int pid;
    private final Pool pool;
    private final Selector selector;
    private final SignalInbox signals;
    private final CommandServer commandServer;
    private final Commands commands;
    private final List<Listeners.Listener> listeners;
    /** Sockets of the deprecated {@code srv:} template: inherited, but not in EINHORN_FD_*. */
    private final List<Listeners.Listener> legacyListeners;
    /** The master's environment less what einhorn sets per worker: for workers, and the -k watchdog. */
    private final Map<String, String> baseEnv;
    private final WorkerSpawner spawner;
    /** sd_notify to systemd (ops: docs/OPERATIONS.md); a no-op without NOTIFY_SOCKET. */
    private final SystemdNotify systemd;
    private final Reload reload;
    /** Upgrade requests: one in flight, the rest queued for one more (docs/PROTOCOL.md, "Streams"). */
    private final UpgradeQueue upgrades;
    /** -k: signals the workers if this process dies; null without -k. */
    private KillWatchdog watchdog;
    /** +1 per master re-exec. */
    private final int generation;
    /**
     * How workers start now: the one owner of the worker command (argv, extra env, -p archive). Without -p, the
     * command as typed; with -p, the current generation's launch.
     */
    private volatile WorkerLaunch launch;
    /** -p: prepares each generation's launch; null without -p. */
    private Preloader preloader;
    /** -p, an upgrade waiting for its generation's archive: smooth or fleet; null when none waits. */
    private Boolean upgradeAwaitingArchive;
    private double archiveWaitDeadline = Double.POSITIVE_INFINITY;
    /** -p: the archive each live child was started with, and /proc readings of it, for state. */
    private final WorkerProbe workerProbe = new WorkerProbe();
    /** --standby: the master's ends of each standby's pipes. */
    private final StandbyPipes standbyPipes;
    /** Logged once: why no standbys are kept although --standby asks for them. */
    private String standbyBlockerLogged;

    /**
     * A master over bound sockets; {@code handover} is what a previous image of this process left (null on a
     * fresh start): its pool, clients and watchdog are taken over.
     */
    Master(Config config, Posix posix, Selector selector, SignalInbox signals,
            java.nio.channels.ServerSocketChannel commandChannel, List<Listeners.Listener> listeners,
            List<Listeners.Listener> legacyListeners, WorkerCommand command, Map<String, String> baseEnv,
            Handover handover) throws IOException {
        this.config = config;
        this.posix = posix;
        this.pid = posix.getpid();
        this.selector = selector;
        this.signals = signals;
        this.listeners = listeners;
        this.legacyListeners = legacyListeners;
        this.preloader = command.preloader();
        this.launch = command.launch();
        this.baseEnv = baseEnv;
        this.spawner = new WorkerSpawner(config, posix, pid, listeners, legacyListeners, baseEnv);
        this.generation = handover == null ? 0 : handover.generation();
        this.pool = handover == null ? new Pool(poolSettings(config), config.number(), this, Clock.SYSTEM)
                : Pool.restore(handover.pool(), poolSettings(config), this, Clock.SYSTEM);
        this.upgrades = handover == null ? new UpgradeQueue(this, pool)
                : new UpgradeQueue(this, pool, handover.reloadingForUpgrade() || pool.upgrading(),
                        handover.smoothUpgrade(), handover.upgradeQueued(), handover.queuedSmooth());
        this.commands = new Commands(this, pool, upgrades);
        this.commandServer = new CommandServer(commandChannel, selector, posix, commands::onLine);
        this.systemd = SystemdNotify.fromEnvironment(System.getenv(), pid);
        this.reload = new Reload(config, posix, System.getenv(), this);
        this.standbyPipes = new StandbyPipes(posix, selector);
        pool.setStandbyTarget(standbyCount(config));
        if (handover != null) {
            for (Connection c : handover.connections()) commandServer.adopt(c);
            workerProbe.adopt(handover.workerArchives());
            standbyPipes.adopt(handover.standbys());
            for (var s : List.copyOf(pool.standbys())) {
                if (!standbyPipes.holds(s.pid())) pool.retireStandby(s.pid(), "it was not ready at the master's re-exec");
            }
        }
        if (config.killChildrenOnExit()) startWatchdog(handover);
        if (config.niceMaster() != null) Renice.renice(posix, pid, config.niceMaster(), "the master");
    }

    private void startWatchdog(Handover handover) {
        if (handover != null && handover.watchdog() != null) {
            watchdog = KillWatchdog.adopt(posix, config.gracefulSignal(), handover.watchdog());
            return;
        }
        try {
            watchdog = KillWatchdog.start(posix, config.gracefulSignal(), baseEnv, childPids());
        } catch (PosixException e) {
            log.error("Could not start the -k watchdog: {}; workers will not be signaled if the master dies",
                    e.getMessage());
        }
    }

    /** Workers and standbys: what -k covers. */
    private List<Integer> childPids() {
        List<Integer> pids = new ArrayList<>(pool.workers().stream().map(w -> w.pid()).toList());
        pool.standbys().forEach(s -> pids.add(s.pid()));
        return pids;
    }

    /**
     * How a worker that exited while the master re-executed is logged: the program that held the master's pid
     * meanwhile (bin/einhorn's shell, a --reexec-as wrapper) reaped it, and its status went with that program.
     */
    static final String EXITED_DURING_REEXEC = "exit status unknown: it exited during the master's re-exec and was "
            + "reaped by the program that held the master's pid meanwhile";

    /**
     * Picks up where the previous image left off: reap what died meanwhile, then the upgrade it was for, unless
     * {@code upgradeBlocker} says why it cannot go ahead.
     */
    void resume(Handover handover, String upgradeBlocker) {
        log.info("Using loaded state: generation {}, version {}, {} workers, {} clients", generation,
                pool.version(), pool.workers().size(), commandServer.connections().size());
        // A worker that died while another program held our pid (a --reexec-as wrapper script) may have been
        // reaped by it: waitpid then says ECHILD, and that worker is gone too.
        for (int workerPid : pool.workers().stream().map(w -> w.pid()).toList()) {
            posix.reap(workerPid).ifPresent(status -> {
                if (watchdog != null) watchdog.removed(workerPid);
                pool.exited(workerPid, status.exitCode() == ExitStatus.UNKNOWN ? EXITED_DURING_REEXEC : status.describe());
            });
        }
        for (int standbyPid : pool.standbys().stream().map(s -> s.pid()).toList()) {
            posix.reap(standbyPid).ifPresent(status -> {
                if (watchdog != null) watchdog.removed(standbyPid);
                standbyPipes.forget(standbyPid);
                pool.exited(standbyPid, status.describe());
            });
        }
        reapChildren();
        if (handover.reloadingForUpgrade()) {
            if (upgradeBlocker != null) {
                upgradeFailed(upgradeBlocker);
            } else if (pool.respawning() && preloader != null && preloader.preparing()) {
                // every new worker maps the new archive: start them once it is built (or its build failed)
                upgradeAwaitingArchive = handover.smoothUpgrade();
                if (config.upgradeTimeout() != null) archiveWaitDeadline = now() + config.upgradeTimeout();
                upgradeProgress(Level.INFO, "Waiting for the preload archive of the new generation (training run "
                        + preloader.preparationPid() + ") before starting new workers...");
            } else if (pool.respawning()) {
                pool.upgrade(handover.smoothUpgrade());
            } else {
                upgradeFailed("einhorn is shutting down");
            }
        }
        for (String signal : handover.pendingSignals()) onSignal(signal);
    }

    @Override
    public Map<String, Object> preloadState() {
        return preloader == null ? null : preloader.state();
    }

    @Override
    public void abandonPreparation() {
        if (preloader != null) preloader.abandon();
    }

    /**
     * -p: at a first start the workers wait for the archive that is being built (bounded by the training
     * timeout), so that every worker of the generation maps it. Later, replacements do not wait: they start
     * as the previous image's workers did.
     */
    private boolean holdingFirstSpawn() {
        return generation == 0 && preloader != null && preloader.preparing() && pool.workers().isEmpty();
    }

    /** The preparation child ended: spawns from now on use its launch; an upgrade waiting for it goes ahead. */
    private void preparationDone() {
        launch = preloader.launch();
        if (upgradeAwaitingArchive == null) return;
        boolean smooth = upgradeAwaitingArchive;
        upgradeAwaitingArchive = null;
        archiveWaitDeadline = Double.POSITIVE_INFINITY;
        if (!pool.respawning()) {
            upgradeFailed("einhorn is shutting down");
            return;
        }
        upgradeProgress(Level.INFO, launch.preloaded() ? "The preload archive is ready"
                : "No preload archive (see the log); the new workers start cold");
        pool.upgrade(smooth);
    }

    /** --upgrade-timeout covers the wait for the archive: past it, the build is stopped and the upgrade fails. */
    private void checkArchiveWait(double now) {
        if (upgradeAwaitingArchive == null || now < archiveWaitDeadline) return;
        upgradeAwaitingArchive = null;
        archiveWaitDeadline = Double.POSITIVE_INFINITY;
        preloader.abandon();
        launch = preloader.launch();
        upgradeFailed("the preload archive was not ready within the upgrade timeout (" + config.upgradeTimeout()
                + "s)");
    }

    @Override
    public Optional<Path> archiveOf(int workerPid) {
        return workerProbe.archiveOf(workerPid);
    }

    @Override
    public WorkerProbe.Reading probe(int workerPid, Path archive) {
        return workerProbe.read(workerPid, archive, now());
    }

    /** --standby N; default 1 with -p, 0 without (docs/PRELOAD.md "Warm standbys"). */
    static int standbyCount(Config c) {
        if (c.standby() != null) return c.standby();
        return c.preload() != null ? 1 : 0;
    }

    static PoolSettings poolSettings(Config c) {
        int cpus = Runtime.getRuntime().availableProcessors();
        return new PoolSettings(c.ackMode().manual(), c.ackMode().timeoutSeconds(), c.seconds(),
                c.maxUnacked() != null ? c.maxUnacked() : cpus, c.maxUpgradeAdditional(), c.signalTimeout(),
                c.gracefulSignal(), c.upgradeTimeout());
    }

    // ---------------------------------------------------------------- the loop

    /** Runs until every worker is gone after a stop; returns the exit status. */
    int loop() throws IOException {
        log.debug("Entering event loop");
        while (true) {
            upgrades.tick();
            reload.tick(now());
            if (preloader != null) {
                preloader.tick(now());
                checkArchiveWait(now());
            }
            retireStandbysOfAnotherLaunch();
            if (!holdingFirstSpawn()) pool.tick();
            commandServer.tick(now());
            systemd.afterTick(pool);
            if (pool.isFinished()) break;
            sleepUntilSomethingHappens();
            for (SelectionKey key : selector.selectedKeys()) dispatch(key);
            selector.selectedKeys().clear();
            for (String signal : signals.take()) onSignal(signal);
        }
        log.debug("All workers are gone; exiting");
        return 0;
    }

    private void sleepUntilSomethingHappens() throws IOException {
        double wake = Math.min(Math.min(pool.nextWakeup(), reload.nextWakeup()), systemd.nextDeadline());
        if (preloader != null) wake = Math.min(wake, Math.min(preloader.nextWakeup(), archiveWaitDeadline));
        wake = Math.min(wake, commandServer.nextWakeup());
        double start = Clock.SYSTEM.now();
        long millis = Double.isInfinite(wake) ? -1 : Math.max(0, (long) Math.ceil((wake - start) * 1000));
        if (millis < 0) {
            selector.select();
        } else if (millis == 0) {
            selector.selectNow();
        } else {
            selector.select(millis);
        }
        if (log.isDebugEnabled()) {
            log.debug("Woke up after {}s (timeout {})",
                    String.format(Locale.ROOT, "%.3f", Clock.SYSTEM.now() - start), millis < 0 ? "none" : millis + "ms");
        }
    }

    private void dispatch(SelectionKey key) {
        if (!key.isValid()) return;
        Object handler = key.attachment();
        if (handler == commandServer) {
            commandServer.acceptAll();
        } else if (handler instanceof Connection c) {
            try {
                if (key.isValid() && key.isReadable()) commandServer.onReadable(c);
                if (key.isValid() && key.isWritable()) commandServer.onWritable(c);
            } catch (Throwable t) { // one client's trouble, whatever it is, never stops the master
                commandServer.failed(c, t);
            }
        } else if (handler instanceof StandbyPipes.Parked p) {
            standbyPipes.onReadable(p, pool::standbyReady);
        }
        // the signal pipe is drained after dispatch
    }

    private void onSignal(String signal) {
        switch (signal) {
            case "CHLD" -> reapChildren();
            case "INT", "USR2" -> stop(config.gracefulSignal());
            case "TERM" -> stop("TERM");
            case "HUP" -> upgrades.request(null, null, true);
            case "ALRM" -> {
                log.error("Upgrading using SIGALRM is deprecated. Please switch to SIGHUP");
                upgrades.request(null, null, true);
            }
            case "TTIN" -> commands.increment();
            case "TTOU" -> commands.decrement();
            default -> log.debug("Ignoring SIG{}", signal);
        }
    }

    private void stop(String signal) {
        pool.stop(signal);
    }

    private void reapChildren() {
        log.debug("Going to reap a child process");
        for (Optional<ExitStatus> s; (s = posix.reapAny()).isPresent(); ) {
            ExitStatus status = s.get();
            if (reload.onExit(status)) continue;
            if (preloader != null && preloader.onExit(status)) {
                if (!preloader.preparing()) preparationDone();
                continue;
            }
            if (watchdog != null && status.pid() == watchdog.pid()) {
                watchdog.restart(baseEnv, childPids());
                continue;
            }
            if (watchdog != null) watchdog.removed(status.pid());
            String how = status.describe();
            workerProbe.forget(status.pid());
            standbyPipes.forget(status.pid());
            if (!pool.exited(status.pid(), how)) {
                if (pid == 1) { // a container's init: every orphan of the container is ours to reap
                    log.debug("Reaped orphan {} ({})", status.pid(), how);
                } else {
                    log.error("Could not find any config for exited child {}! This probably indicates a bug in "
                            + "Einhorn.", status.pid());
                }
            }
        }
    }

    // ---------------------------------------------------------------- WorkerHost: what the pool asks for

    @Override
    public int spawn(int index, int version) throws SpawnException {
        return start(index, null);
    }

    // ---------------------------------------------------------------- warm standbys (--standby N)

    @Override
    public boolean standbyPossible() {
        String blocker = standbyBlocker();
        if (blocker != null && !blocker.equals(standbyBlockerLogged) && pool.standbyTarget() > 0) {
            log.info("No warm standbys for now: {}", blocker);
        }
        standbyBlockerLogged = blocker;
        return blocker == null;
    }

    private String standbyBlocker() {
        WorkerLaunch launch = this.launch;
        if (preloader == null || !launch.argv().contains(dev.einhorn.runtime.Bootstrap.class.getName())) {
            return "the workers are not preloaded JVMs (a standby is a preloaded worker that waits)";
        }
        if (preloader != null && preloader.preparing()) return "the preload archive is being prepared";
        return null;
    }

    @Override
    public int spawnStandby(int version) throws SpawnException {
        StandbyPipes.Opening pipes;
        try {
            pipes = standbyPipes.open();
        } catch (PosixException | IOException e) {
            throw new SpawnException("could not create a standby's pipes: " + e.getMessage());
        }
        int child;
        try {
            child = start(-1, pipes);
        } catch (SpawnException e) {
            standbyPipes.abandon(pipes);
            throw e;
        }
        try {
            standbyPipes.started(child, pipes, workerArgv());
        } catch (IOException e) {
            log.error("Could not watch standby {}'s ready pipe: {}", child, e.getMessage());
        }
        return child;
    }

    @Override
    public boolean activate(int standbyPid, int index) {
        return standbyPipes.activate(standbyPid, Map.of("EINHORN_CHILD_INDEX", Integer.toString(index)));
    }

    /** Standbys started with another worker command (a reload found a new jar or archive) are never activated. */
    private void retireStandbysOfAnotherLaunch() {
        if (pool.standbys().isEmpty()) return;
        List<String> current = workerArgv();
        for (var s : List.copyOf(pool.standbys())) {
            List<String> theirs = standbyPipes.argvOf(s.pid());
            if (theirs != null && !theirs.equals(current) && !s.retired()) {
                pool.retireStandby(s.pid(), "the worker command changed since it started");
            }
        }
    }

    /** Starts a worker (index >= 0) or, with {@code pipes}, a standby that has no index yet. */
    private int start(int index, StandbyPipes.Opening pipes) throws SpawnException {
        WorkerLaunch launch = this.launch;
        if (preloader != null && launch.archive().isPresent()) {
            WorkerLaunch trusted = preloader.trusted(launch);
            if (trusted != launch) {
                this.launch = launch = trusted;
                retireStandbysOfAnotherLaunch(); // they map the changed archive too
            }
        }
        int child = spawner.spawn(launch, index, pipes);
        if (watchdog != null) watchdog.added(child);
        if (launch.archive().isPresent()) {
            workerProbe.started(child, launch.archive().get());
            preloader.watch(child, launch);
        }
        return child;
    }

    @Override
    public boolean signal(int workerPid, String signal) {
        return posix.kill(workerPid, Signals.number(signal).orElseThrow());
    }

    @Override
    public void log(Level level, String message) {
        switch (level) {
            case DEBUG -> log.debug(message);
            case INFO -> log.info(message);
            case ERROR -> log.error(message);
        }
    }

    @Override
    public void upgradeProgress(Level level, String message) {
        log(level, message);
        // clients are told which of the upgrade's lines are errors; its last, "Upgrade failed: ...", says so itself
        sendToUpgradeClients(level == Level.ERROR ? "ERROR: " + message : message, false);
    }

    @Override
    public void upgradeDone() {
        endUpgrade(Level.INFO, "Upgrade done");
    }

    @Override
    public void upgradeFailed(String reason) {
        endUpgrade(Level.ERROR, "Upgrade failed: " + reason);
    }

    /** The upgrade's last line: its clients' streams end, and the next queued upgrade may start. */
    private void endUpgrade(Level level, String message) {
        log(level, message);
        sendToUpgradeClients(message, true);
        upgrades.finished();
    }

    private void sendToUpgradeClients(String text, boolean last) {
        for (Connection c : commandServer.connections()) {
            if (!c.upgradeSubscribed() || c.upgradeQueued()) continue;
            commandServer.send(c, Replies.encode(text, c.upgradeRequestId(), last));
            if (last) c.unsubscribeFromUpgrade();
        }
    }

    // ---------------------------------------------------------------- MasterControl: what the commands ask for

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public String commandName() {
        return config.commandName();
    }

    @Override
    public String gracefulSignal() {
        return config.gracefulSignal();
    }

    @Override
    public void send(Connection client, String framedLine) {
        commandServer.send(client, framedLine);
    }

    @Override
    public void closeWhenFlushed(Connection client) {
        commandServer.closeWhenFlushed(client);
    }

    @Override
    public Collection<Connection> clients() {
        return commandServer.connections();
    }

    @Override
    public String state(boolean json) {
        return json ? StateJson.json(this) : StateDump.yaml(this);
    }

    @Override
    public String metrics() {
        return Metrics.text(this);
    }

    @Override
    public void reexec(boolean forUpgrade) {
        reload.request(forUpgrade);
    }

    // ---------------------------------------------------------------- MasterView: what state and metrics read

    @Override
    public Config config() {
        return config;
    }

    @Override
    public Pool pool() {
        return pool;
    }

    @Override
    public List<Listeners.Listener> listeners() {
        return listeners;
    }

    @Override
    public List<String> workerArgv() {
        return launch.argv();
    }

    @Override
    public int generation() {
        return generation;
    }

    @Override
    public boolean preloaded() {
        return launch.preloaded();
    }

    // ---------------------------------------------------------------- ReloadHost: what a re-exec asks for

    @Override
    public boolean respawning() {
        return pool.respawning();
    }

    @Override
    public double now() {
        return Clock.SYSTEM.now();
    }

    @Override
    public Handover handover(boolean forUpgrade, List<String> pendingSignals) {
        return new Handover(config, pool.snapshot(), generation + 1, posix.fdOf(commandServer.channel()), listeners,
                legacyListeners, List.copyOf(commandServer.connections()), forUpgrade, upgrades.inFlightSmooth(),
                upgrades.queued(), upgrades.queuedSmooth(), watchdog == null ? null : watchdog.state(),
                workerProbe.archives(), pendingSignals, EinhornLog.verbosity(), workerArgv(), standbyPipes.handover());
    }

    @Override
    public void reloading() {
        systemd.reloading();
    }

    @Override
    public List<String> takeSignals() {
        return signals.take();
    }

    /** Our handlers back in place, signals unblocked, the drained ones handled. */
    @Override
    public void reinstallSignalHandlers(List<String> drained) {
        signals.handle(Signals.HANDLED_BY_MASTER, posix);
        signals.unblock(Signals.HANDLED_BY_MASTER, posix);
        drained.forEach(this::onSignal);
    }

    @Override
    public void flushClients() {
        commandServer.flushAll();
    }

    private List<Listeners.Listener> allListeners() {
        List<Listeners.Listener> all = new ArrayList<>(listeners);
        all.addAll(legacyListeners);
        return all;
    }

    /** Closes every socket of the master (at exit). */
    void closeAll() {
        abandonPreparation();
        commandServer.closeAll();
        Listeners.removeSocketFiles(listeners);
        for (Listeners.Listener l : allListeners()) {
            try {
                l.channel().close();
            } catch (IOException ignored) {
                // exiting
            }
        }
    }
}
