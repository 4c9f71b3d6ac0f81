package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero dropped connections: a loopback client keeps connecting while the master runs 5 smooth upgrades,
 * 2 fleet upgrades and 3 reloads. Every connection is answered, by the version being rolled out or the one
 * before, and once an upgrade is done only the new version answers.
 */
class UpgradeUnderLoadIT {
    @TempDir
    Path dir;

    @Test
    void upgradesAndReloadsUnderLoadLoseNothing() throws Exception {
        Path version = dir.resolve("version");
        Files.writeString(version, "0");
        try (EinhornUnderTest e = EinhornUnderTest.start(dir, Map.of("VERSION_FILE", version.toString()), "-n", "2", "-m", "manual",
                "-s", "0.2", "-b", "127.0.0.1:0", "python3", EinhornUnderTest.WORKERS.resolve("version_server.py").toString())) {
            e.awaitAckedWorkers(2);
            int port = e.port(0);
            try (LoadClient load = new LoadClient(port, 3)) {
                List<String> steps = List.of("upgrade", "upgrade", "reload", "upgrade_fleet", "upgrade", "reload",
                        "upgrade", "upgrade_fleet", "reload", "upgrade");
                int v = 0;
                for (String step : steps) {
                    if (step.equals("reload")) {
                        e.reload();
                        continue;
                    }
                    v++;
                    Files.writeString(version, Integer.toString(v));
                    load.epoch.set(v);
                    EinhornUnderTest.Result r = e.einhornsh(step);
                    assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
                    assertTrue(r.stdout().endsWith("Upgrade done\n"), r.stdout());
                    e.awaitOnlyVersion(v);
                    for (int i = 0; i < 20; i++) {
                        assertEquals(Integer.toString(v), EinhornUnderTest.ask(port).split(" ")[0], "after " + step + " to " + v);
                    }
                }
                long before = load.requests.get();
                e.awaitTrue("more load after the last step", () -> load.requests.get() > before + 50);
                load.close();
                assertEquals(List.of(), load.failures, "failed or reset connections");
                assertEquals(List.of(), load.unexpected, "answers from an unexpected version");
                assertTrue(load.requests.get() > 500, "the load ran: " + load.requests.get() + " requests");
                assertTrue(load.answersByVersion.keySet().containsAll(List.of(0, 7)), load.answersByVersion.toString());
            }
        }
    }
}
