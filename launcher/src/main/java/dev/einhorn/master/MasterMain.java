package dev.einhorn.master;

import dev.einhorn.children.WorkerCommand;
import dev.einhorn.cli.CliResult;
import dev.einhorn.cli.EinhornCli;
import dev.einhorn.cli.LegacySrvTemplate;
import dev.einhorn.config.Config;
import dev.einhorn.files.OwnFiles;
import dev.einhorn.files.Pidfile;
import dev.einhorn.listen.CommandSocket;
import dev.einhorn.listen.Listeners;
import dev.einhorn.log.EinhornLog;
import dev.einhorn.posix.LibcPosix;
import dev.einhorn.posix.Posix;
import dev.einhorn.posix.Signals;
import dev.einhorn.posix.SpawnRequest;
import dev.einhorn.preload.Preloader;
import dev.einhorn.preload.WorkerLaunch;
import dev.einhorn.reexec.Handover;
import dev.einhorn.startup.StartupException;
import dev.einhorn.systemd.SystemdActivation;
import java.io.IOException;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Parses the command line and runs the master: Einhorn's start-up order (docs/COMPATIBILITY.md#startup-order), then the loop. */
public final class MasterMain {
    private static final Logger log = LoggerFactory.getLogger(MasterMain.class);

    private MasterMain() {}

    public static int run(String[] args) {
        Map<String, String> env = System.getenv();
        return run(EinhornCli.parse(args, env), env);
    }

    /** Runs what a parsed command line asks for; returns the exit status. */
    public static int run(CliResult result, Map<String, String> env) {
        if (result instanceof CliResult.Run run) {
            Integer stateFd = run.config().withStateFd();
            return stateFd != null ? resumeMaster(stateFd, env) : runMaster(run.config(), env);
        }
        if (result instanceof CliResult.UpgradeCheck) {
            return upgradeCheck();
        }
        return result.finish(System.out, System.err);
    }

    /** {@code --upgrade-check}: this image starts; say on which Java, and exit 0. */
    public static int upgradeCheck() {
        log.info("Running under Java {} ({})", Runtime.version(), System.getProperty("java.home"));
        return 0;
    }

    /** {@code --with-state-fd N}: carry on after a re-exec (see {@link #resumeMaster}). */
    public static int resume(int stateFd, Map<String, String> env) {
        return resumeMaster(stateFd, env);
    }

    /** Starts a master for this configuration and runs it to the end; returns the exit status. */
    static int runMaster(Config config, Map<String, String> env) {
        EinhornLog.setVerbosity(config.verbosity());
        Posix posix = new LibcPosix();
        Pidfile pidfile = null;
        ServerSocketChannel commandChannel = null;
        Master master = null;
        try (Selector selector = Selector.open()) {
            SignalInbox signals = new SignalInbox(selector);
            signals.handle(Signals.HANDLED_BY_MASTER, posix);
            commandChannel = CommandSocket.open(config.socketPath(), config.lockfile());
            log.info("Writing PID to {}", config.pidfile());
            pidfile = Pidfile.write(config.pidfile(), posix.getpid());
            List<Listeners.Listener> listeners = SystemdActivation.listeners(config.binds(), config.backlog(), posix,
                    env, posix.getpid());
            LegacySrvTemplate srv = LegacySrvTemplate.scan(config.command());
            List<Listeners.Listener> legacy = List.of();
            if (!srv.isEmpty()) {
                srv.templateArgs().forEach(arg -> log.error(LegacySrvTemplate.DEPRECATION_MESSAGE));
                legacy = Listeners.bindAll(srv.binds(), config.backlog(), posix);
            }
            WorkerCommand command = WorkerCommand.prepare(config, listeners.size(), legacy.size(), env, posix, 0,
                    null);
            master = new Master(config, posix, selector, signals, commandChannel, listeners, legacy, command,
                    workerEnv(env), null);
            signals.unblock(Signals.HANDLED_BY_MASTER, posix);
            return master.loop();
        } catch (StartupException e) {
            System.err.println("einhorn: " + e.getMessage());
            return 1;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("einhorn: " + e.getMessage());
            return 1;
        } finally {
            if (master != null) {
                master.closeAll();
            } else if (commandChannel != null) {
                try {
                    commandChannel.close();
                } catch (IOException ignored) {
                    // exiting
                }
            }
            if (commandChannel != null) OwnFiles.removeIfOurs(config.socketPath(), OwnFiles.Kind.SOCKET);
            if (pidfile != null) pidfile.removeIfOurs();
        }
    }

    /**
     * The same process after a re-exec ({@code --with-state-fd}): no binding, no pidfile, no lock; adopt the
     * sockets, clients and workers the previous image handed over, then carry on.
     */
    static int resumeMaster(int stateFd, Map<String, String> env) {
        Posix posix = new LibcPosix();
        Handover handover;
        try {
            handover = Handover.read(stateFd, posix);
        } catch (StartupException | RuntimeException e) {
            System.err.println("einhorn: " + e.getMessage());
            return 1;
        }
        Config config = handover.config();
        EinhornLog.setVerbosity(handover.verbosity());
        Master master = null;
        try (Selector selector = Selector.open()) {
            SignalInbox signals = new SignalInbox(selector);
            signals.handle(Signals.HANDLED_BY_MASTER, posix);
            WorkerCommand command;
            String upgradeBlocker = null;
            try {
                command = WorkerCommand.prepare(config, handover.listeners().size(),
                        handover.legacyListeners().size(), env, posix, handover.generation(), handover.workerArgv());
            } catch (StartupException e) {
                // never orphan the workers over this: keep starting what the previous image started
                upgradeBlocker = "the worker command cannot be run after the reload: " + e.getMessage();
                log.error("{}; replacements keep running the previous command", upgradeBlocker);
                command = WorkerCommand.plain(handover.workerArgv());
            }
            master = new Master(config, posix, selector, signals, handover.commandServer(), handover.listeners(),
                    handover.legacyListeners(), command, workerEnv(env), handover);
            signals.unblock(Signals.HANDLED_BY_MASTER, posix);
            master.resume(handover, upgradeBlocker);
            return master.loop();
        } catch (IOException | RuntimeException e) {
            System.err.println("einhorn: could not resume after a reload: " + e.getMessage());
            return 1;
        } finally {
            if (master != null) master.closeAll();
            OwnFiles.removeIfOurs(config.socketPath(), OwnFiles.Kind.SOCKET);
            Pidfile.existing(config.pidfile(), posix.getpid()).removeIfOurs();
        }
    }

    /** The master's environment less the variables Einhorn sets per worker and systemd's (the pool adds its own). */
    private static Map<String, String> workerEnv(Map<String, String> env) {
        return dev.einhorn.config.OwnedVariables.passedOn(env);
    }
}
