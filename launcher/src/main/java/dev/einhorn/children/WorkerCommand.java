package dev.einhorn.children;

import dev.einhorn.cli.LegacySrvTemplate;
import dev.einhorn.config.Config;
import dev.einhorn.startup.StartupException;
import dev.einhorn.posix.Posix;
import dev.einhorn.posix.SpawnRequest;
import dev.einhorn.preload.Preloader;
import dev.einhorn.preload.WorkerLaunch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command workers of this master image run: the typed command with {@code srv:} templates replaced by fd
 * numbers, or for {@code -p} the JVM command of the generation (a cached archive reused here; a new one is
 * trained by a child process the loop reaps, {@link Preloader}), with argv[0] resolved on PATH. Prepared at
 * start-up and again by every re-exec'd image, which is how an upgrade picks up a changed jar. {@code preloader} is
 * null without {@code -p}; {@code launch} is never null.
 */
public record WorkerCommand(Preloader preloader, WorkerLaunch launch) {
    private static final Logger log = LoggerFactory.getLogger(WorkerCommand.class);

    /**
     * The command as typed (argv[0] resolved), with no preload: einhorn without {@code -p}, or a re-exec'd image
     * that keeps the previous image's command.
     */
    public static WorkerCommand plain(List<String> argv) {
        return new WorkerCommand(null, WorkerLaunch.plain(argv, "the command as given (not preloaded)"));
    }

    public static WorkerCommand prepare(Config config, int listenerCount, int legacyCount, Map<String, String> env,
            Posix posix, int generation, List<String> previousArgv) throws StartupException {
        List<String> argv = new ArrayList<>(config.command());
        if (legacyCount > 0) {
            List<Integer> childFds = new ArrayList<>();
            for (int j = 0; j < legacyCount; j++) childFds.add(SpawnRequest.childFd(listenerCount + j));
            argv = new ArrayList<>(LegacySrvTemplate.scan(config.command()).substitute(childFds));
        }
        Preloader preloader = null;
        WorkerLaunch launch = null;
        if (config.preload() != null && legacyCount == 0) {
            preloader = new Preloader(config, env, posix);
            // preload generations count from 1
            preloader.begin(generation + 1, previousArgv == null ? null : WorkerLaunch.fromArgv(previousArgv, env));
            launch = preloader.launch();
            argv = new ArrayList<>(launch.argv());
        } else if (config.preload() != null) {
            log.error("Proceeding with postload -- could not preload {}: the command uses srv: templates",
                    config.preload());
        }
        argv.set(0, ProgramLookup.resolve(argv.get(0), env));
        if (launch == null) return plain(argv);
        return new WorkerCommand(preloader, new WorkerLaunch(argv, launch.extraEnv(), launch.archive(),
                launch.preloaded(), launch.description()));
    }

    /** The worker command: the launch's (one place holds it). */
    public List<String> argv() {
        return launch.argv();
    }
}
