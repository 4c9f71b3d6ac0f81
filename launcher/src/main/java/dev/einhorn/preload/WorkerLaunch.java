package dev.einhorn.preload;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How to start the workers of one generation, as {@link Preloader#launch()} gives it once a generation is prepared.
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

    /**
     * The launch a previous master image used, recovered from its worker argv (what the handover keeps): it is
     * preloaded when the argv names an archive that still exists; workers it starts get the same
     * {@code _JAVA_SR_SIGNUM} as {@link Preloader} gives them.
     */
    public static WorkerLaunch fromArgv(List<String> argv, Map<String, String> env) {
        Optional<Path> archive = Optional.empty();
        boolean jvm = false;
        for (String a : argv) {
            if (a.startsWith("-XX:SharedArchiveFile=")) archive = Optional.of(Path.of(a.substring(a.indexOf('=') + 1)));
            if (a.startsWith("-XX:AOTCache=")) archive = Optional.of(Path.of(a.substring(a.indexOf('=') + 1)));
            if (a.equals(dev.einhorn.runtime.Bootstrap.class.getName())) jvm = true;
        }
        archive = archive.filter(java.nio.file.Files::isRegularFile);
        Map<String, String> extraEnv = jvm && !env.containsKey("_JAVA_SR_SIGNUM") ? Map.of("_JAVA_SR_SIGNUM", "40")
                : Map.of();
        return new WorkerLaunch(argv, extraEnv, archive, archive.isPresent(), "the previous master image's workers");
    }

    /**
     * The same command without its archive (the one {@code -XX:SharedArchiveFile=}/{@code -XX:AOTCache=} argument
     * naming it): the app started cold, with the same flags, class path and entry point.
     */
    public WorkerLaunch withoutArchive() {
        if (archive.isEmpty()) return this;
        String path = archive.get().toString();
        List<String> cold = argv.stream()
                .filter(a -> !a.equals("-XX:SharedArchiveFile=" + path) && !a.equals("-XX:AOTCache=" + path)).toList();
        return new WorkerLaunch(cold, extraEnv, Optional.empty(), false, "the same command without the archive");
    }

    /** The command as typed: einhorn's behaviour without {@code -p}. */
    public static WorkerLaunch plain(List<String> argv, String description) {
        return new WorkerLaunch(argv, Map.of(), Optional.empty(), false, description);
    }
}
