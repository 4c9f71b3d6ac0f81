package dev.einhorn.report;

import dev.einhorn.children.WorkerProbe;
import dev.einhorn.cli.BindSpecParser;
import dev.einhorn.cli.CliResult;
import dev.einhorn.cli.EinhornCli;
import dev.einhorn.config.Config;
import dev.einhorn.listen.Listeners;
import dev.einhorn.pool.FakeHost;
import dev.einhorn.pool.Pool;
import dev.einhorn.pool.PoolSettings;
import dev.einhorn.preload.ArchiveUse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A master as the reports see it ({@link MasterView}): a real {@link Pool} over the pool's {@link FakeHost} (pids
 * 100, 101, ..., a clock the test sets: {@code host.now}, wall time {@code now} seconds after the epoch), a TCP and
 * a UNIX listener that are never bound, and, for {@code -p}, archives and /proc readings given by the test.
 */
final class ReportedMaster implements MasterView {
    final FakeHost host = new FakeHost();
    final Config config;
    final Pool pool;
    final Map<Integer, Path> archives = new HashMap<>();
    final Map<Integer, WorkerProbe.Reading> readings = new HashMap<>();
    Map<String, Object> preloadState;

    ReportedMaster(String... args) {
        config = ((CliResult.Run) EinhornCli.parse(args, Map.of())).config();
        pool = new Pool(new PoolSettings(true, 1, 1, 8, null, null, "USR2", null), config.number(), host, host);
    }

    /** Ticks until the pool has started every worker it wants. */
    ReportedMaster started() {
        for (int i = 0; i < 100 && pool.workers().size() < pool.number(); i++) {
            pool.tick();
            host.now += 1;
        }
        return this;
    }

    // --- MasterView

    @Override
    public int pid() {
        return 4242;
    }

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
        return List.of(new Listeners.Listener(BindSpecParser.parse("127.0.0.1:8080,r"), null, 5, 8080, "AF_INET"),
                new Listeners.Listener(BindSpecParser.parse("/tmp/app.sock"), null, 6, 0, "AF_UNIX"));
    }

    @Override
    public List<String> workerArgv() {
        return List.of("/usr/bin/python3", "worker.py");
    }

    @Override
    public int generation() {
        return 2;
    }

    @Override
    public boolean preloaded() {
        return !archives.isEmpty();
    }

    @Override
    public Optional<Path> archiveOf(int pid) {
        return Optional.ofNullable(archives.get(pid));
    }

    @Override
    public WorkerProbe.Reading probe(int pid, Path archive) {
        return readings.getOrDefault(pid, new WorkerProbe.Reading(host.now, false, Optional.empty()));
    }

    @Override
    public Map<String, Object> preloadState() {
        return preloadState;
    }

    /** -p: worker {@code pid} runs from {@code archive}, mapped, with this PSS and shared memory (kB). */
    void preloaded(int pid, Path archive, long pssKb, long sharedKb) {
        archives.put(pid, archive);
        readings.put(pid, new WorkerProbe.Reading(host.now, true, Optional.of(new ArchiveUse.Memory(pssKb, sharedKb,
                pssKb + sharedKb))));
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("jar", "app.jar");
        p.put("layout", "plain");
        p.put("jdk", "25.0.1+8-LTS");
        p.put("archive", archive.toString());
        p.put("classes_archived", 1234);
        p.put("classes_failed", 0);
        p.put("training_s", 2.5);
        p.put("training", false);
        p.put("training_pid", null);
        p.put("archive_ready", true);
        preloadState = p;
    }
}
