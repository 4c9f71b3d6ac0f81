package dev.einhorn.preload;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How to start the workers of one generation, as {@link Preloader#prepare()} decided it.
 *
 * @param argv        the worker command, argv[0] = the program (an absolute path for a JVM command; a plain
 *                    command is returned as typed, for the master to resolve on PATH)
 * @param extraEnv    variables to add to each worker's environment (over the master's)
 * @param archive     the class-data archive the workers start from (AppCDS on JDK 17-24, AOT cache on 25+)
 * @param preloaded   true when the workers start from {@code archive}
 * @param description one line for logs ("preloaded from ...", "cold: ...", "plain command")
 */
public record WorkerLaunch(List<String> argv, Map<String, String> extraEnv, Optional<Path> archive, boolean preloaded,
        String description) {
    public WorkerLaunch {
        argv = List.copyOf(argv);
        extraEnv = Map.copyOf(extraEnv);
    }

    /** The command as typed: einhorn's behaviour without {@code -p}. */
    public static WorkerLaunch plain(List<String> argv, String description) {
        return new WorkerLaunch(argv, Map.of(), Optional.empty(), false, description);
    }
}
