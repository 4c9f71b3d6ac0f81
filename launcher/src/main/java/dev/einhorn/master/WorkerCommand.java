package dev.einhorn.master;

import dev.einhorn.cli.LegacySrvTemplate;
import dev.einhorn.config.Config;
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
 * start-up and again by every re-exec'd image, which is how an upgrade picks up a changed jar.
 */
record WorkerCommand(List<String> argv, Preloader preloader, WorkerLaunch launch) {
    private static final Logger log = LoggerFactory.getLogger(WorkerCommand.class);

    static WorkerCommand prepare(Config config, int listenerCount, int legacyCount, Map<String, String> env,
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
        if (launch != null) {
            launch = new WorkerLaunch(argv, launch.extraEnv(), launch.archive(), launch.preloaded(), launch.description());
        }
        return new WorkerCommand(List.copyOf(argv), preloader, launch);
    }

    void applyTo(Master master) {
        if (launch != null) master.usePreload(preloader, launch);
    }
}
