package dev.einhorn.reexec;

import dev.einhorn.children.ProgramLookup;
import dev.einhorn.config.Config;
import dev.einhorn.startup.StartupException;
import dev.einhorn.posix.ExitStatus;
import dev.einhorn.posix.Posix;
import dev.einhorn.posix.PosixException;
import dev.einhorn.posix.Signals;
import dev.einhorn.posix.SpawnRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-executes the master in place, keeping its pid, sockets, clients and workers, as Einhorn does
 * (docs/COMPATIBILITY.md#upgrades-and-re-exec; what a JVM needs for it: docs/JVM-FACTS.md#re-exec-in-place):
 * <ol>
 *   <li>start {@code einhorn --upgrade-check} with the environment the new image will get, and wait for it
 *       without blocking the loop (Einhorn blocks);</li>
 *   <li>if it exited 0: write the state to an in-memory file, mark every fd close-on-exec but the ones to keep,
 *       block the handled signals (the mask survives exec; the new image unblocks them once its handlers are
 *       in), and {@code execve} {@code [--reexec-as | bin/einhorn] --with-state-fd N -- CMD};</li>
 *   <li>otherwise, or if exec fails: log, tell a waiting upgrade client, and carry on unchanged.</li>
 * </ol>
 */
public final class Reload {
    private static final Logger log = LoggerFactory.getLogger(Reload.class);
    /** The upgrade check is a JVM start; one that takes longer than this is killed and the reload aborted. */
    static final double CHECK_TIMEOUT_SECONDS = 120;
    /** The signals a JVM takes for its own shutdown unless they are ignored when it starts. */
    static final List<String> SHUTDOWN_SIGNALS = List.of("HUP", "INT", "TERM");

    private final Config config;
    private final Posix posix;
    /** The master's environment: where the program is looked up, what the next image gets. */
    private final Map<String, String> env;
    private final ReloadHost master;
    private int checkPid = -1;
    private double checkDeadline = Double.POSITIVE_INFINITY;
    private boolean forUpgrade;

    public Reload(Config config, Posix posix, Map<String, String> env, ReloadHost master) {
        this.config = config;
        this.posix = posix;
        this.env = env;
        this.master = master;
    }

    /**
     * {@code reload}, {@code upgrade}, {@code upgrade_fleet}, SIGHUP. Whether an upgrade is smooth is the
     * {@link dev.einhorn.commands.UpgradeQueue}'s to keep; it goes into the hand-over from there.
     */
    public void request(boolean upgrade) {
        if (!master.respawning()) {
            log.info("Not reloading einhorn because we're exiting");
            if (upgrade) failUpgrade("einhorn is shutting down");
            return;
        }
        if (checkPid > 0) { // one reload at a time; a second request rides on it
            if (upgrade) forUpgrade = true;
            return;
        }
        forUpgrade = upgrade;
        log.info("Reloading einhorn master ({})...", script());
        List<String> argv = new ArrayList<>(base());
        argv.add("--upgrade-check");
        try {
            checkPid = posix.spawn(new SpawnRequest(program(argv), argv, checkEnv(), List.of()));
            checkDeadline = master.now() + CHECK_TIMEOUT_SECONDS;
        } catch (PosixException | StartupException e) {
            abort("could not start the upgrade check " + argv + ": " + e.getMessage());
        }
    }

    public double nextWakeup() {
        return checkDeadline;
    }

    /** Kills an upgrade check that hangs (its exit then aborts the reload). */
    public void tick(double now) {
        if (checkPid > 0 && now >= checkDeadline) {
            log.error("The upgrade check {} did not finish in {}s; killing it", checkPid, (int) CHECK_TIMEOUT_SECONDS);
            posix.kill(checkPid, Signals.KILL);
            checkDeadline = Double.POSITIVE_INFINITY;
        }
    }

    /** A reaped child: true if it was our upgrade check. */
    public boolean onExit(ExitStatus status) {
        if (status.pid() != checkPid) return false;
        checkPid = -1;
        checkDeadline = Double.POSITIVE_INFINITY;
        if (status.exitCode() == 0 && !status.killedBySignal()) {
            exec();
        } else {
            abort("the new master failed its upgrade check (" + status.describe() + ")");
        }
        return true;
    }

    private void exec() {
        if (!master.respawning()) {
            abort("einhorn is shutting down");
            return;
        }
        List<String> argv = new ArrayList<>(base());
        int stateFd = -1;
        List<Integer> blocked = new ArrayList<>();
        List<String> pending = List.of();
        try {
            master.flushClients();
            master.abandonPreparation(); // -p: the next image prepares its generation itself
            for (String name : Signals.HANDLED_BY_MASTER) {
                int sig = Signals.number(name).orElseThrow();
                posix.blockSignal(sig);
                blocked.add(sig);
            }
            // The next JVM installs its own shutdown handler for HUP, INT and TERM unless they are ignored at its
            // start; blocked as well, one that arrives meanwhile stays pending until our handlers are in.
            for (String name : SHUTDOWN_SIGNALS) posix.ignoreSignal(Signals.number(name).orElseThrow());
            pending = master.takeSignals(); // received but not yet handled: the next image handles them
            Handover handover = master.handover(forUpgrade, pending);
            stateFd = posix.memfdWith(handover.bytes());
            argv.addAll(List.of("--with-state-fd", Integer.toString(stateFd), "--"));
            argv.addAll(config.command());
            Set<Integer> keep = new HashSet<>(handover.fdsToKeep());
            keep.add(stateFd);
            markCloseOnExecExcept(keep);
            log.info("About to re-exec einhorn master as {}", dev.einhorn.protocol.RubyInspect.inspect(argv));
            master.reloading(); // RELOADING=1 before the exec; the new image sends READY=1
            posix.execve(program(argv), argv, execEnv());
        } catch (PosixException | StartupException | IOException | RuntimeException | OutOfMemoryError e) {
            // OutOfMemoryError: the hand-over is the one large allocation of a running master (every client's
            // unread replies and kept values, twice); when it does not fit, the reload fails, not the master
            master.reinstallSignalHandlers(pending);
            if (stateFd >= 0) posix.close(stateFd);
            log.error("Could not reload! Attempting to continue. Error was: {}", e.getMessage());
            if (forUpgrade) failUpgrade("could not re-exec the master: " + e.getMessage());
        }
    }

    private void markCloseOnExecExcept(Set<Integer> keep) throws IOException, PosixException {
        List<Integer> open = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(p -> open.add(Integer.parseInt(p.getFileName().toString())));
        }
        for (int fd : open) {
            if (fd <= 2) continue;
            try {
                posix.setCloseOnExec(fd, !keep.contains(fd));
            } catch (PosixException e) {
                if (keep.contains(fd)) throw e; // the directory handle of the listing above is gone by now
            }
        }
    }

    private void abort(String reason) {
        log.error("Can not initiate einhorn master reload safely, aborting");
        if (forUpgrade) {
            failUpgrade(reason); // its "Upgrade failed: REASON" line says why
        } else {
            log.error("Reload failed: {}", reason); // the client's one reply came before; the log is all it has
        }
    }

    private void failUpgrade(String reason) {
        master.upgradeFailed(reason);
    }

    /** {@code --reexec-as} words, or the einhorn script as it was invoked. */
    private List<String> base() {
        return config.reexecAs().isEmpty() ? List.of(script()) : config.reexecAs();
    }

    private static String script() {
        return System.getProperty("einhorn.script", "einhorn");
    }

    private String program(List<String> argv) throws StartupException {
        return ProgramLookup.resolve(argv.get(0), env);
    }

    /**
     * The upgrade check's environment: the next image's, plus the key of the image that runs now (bin/einhorn's
     * {@code -Deinhorn.image}), so that bin/einhorn can pass the check without a JVM when the image on disk is
     * this one (docs/FOOTPRINT.md#start-up-what-a-reload-costs).
     */
    private Map<String, String> checkEnv() {
        Map<String, String> env = execEnv();
        String image = System.getProperty("einhorn.image");
        if (image != null && !image.isEmpty()) env.put("EINHORN_RUNNING_IMAGE", image);
        return env;
    }

    /** This image's environment less {@code --drop-env-var} names (Einhorn restores its startup env). */
    private Map<String, String> execEnv() {
        Map<String, String> out = new LinkedHashMap<>(env);
        config.dropEnvVars().forEach(out::remove);
        return out;
    }
}
