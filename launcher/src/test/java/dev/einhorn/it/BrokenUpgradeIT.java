package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broken deploy never costs capacity: the upgrade gives up, the old version serves every request throughout. */
class BrokenUpgradeIT {
    @TempDir
    Path dir;

    private void assertFailedUpgradeKeepsTheOldVersion(String broken, String expectedFailure, String... flags)
            throws Exception {
        Path version = dir.resolve("version");
        Files.writeString(version, "0");
        List<String> args = new java.util.ArrayList<>(List.of("-n", "2", "-m", "manual", "-s", "0.2",
                "-b", "127.0.0.1:0"));
        args.addAll(List.of(flags));
        args.addAll(List.of("python3", EinhornUnderTest.WORKERS.resolve("version_server.py").toString()));
        try (EinhornUnderTest e = EinhornUnderTest.start(dir, Map.of("VERSION_FILE", version.toString()), args.toArray(String[]::new))) {
            List<Long> old = e.awaitAckedWorkers(2);
            try (LoadClient load = new LoadClient(e.port(0), 2)) {
                Files.writeString(version, broken);
                EinhornUnderTest.Result r = e.einhornsh("upgrade");
                assertEquals(2, r.exitCode(), "einhornsh exits non-zero: " + r.stdout() + r.stderr());
                String[] lines = r.stdout().split("\n");
                assertTrue(lines[lines.length - 1].startsWith(expectedFailure), r.stdout());
                e.awaitTrue("the new workers are gone", () -> {
                    try {
                        return e.workerPids().equals(old);
                    } catch (Exception ex) {
                        return false;
                    }
                });
                load.close();
                assertEquals(List.of(), load.failures, "every request was answered");
                assertEquals(Map.of(0, load.answersByVersion.get(0)), load.answersByVersion, "only version 0 answered");
            }
            assertEquals(0, ((Number) e.state().get("version")).intValue(), "version 0 is current again");

            Files.writeString(version, "2");
            EinhornUnderTest.Result retry = e.einhornsh("upgrade");
            assertEquals(0, retry.exitCode(), retry.stdout());
            e.awaitOnlyVersion(1);
            assertEquals("2", EinhornUnderTest.ask(e.port(0)).split(" ")[0], "the next upgrade can try again");
        }
    }

    @Test
    void aVersionThatCrashesAtBootIsAbandoned() throws Exception {
        assertFailedUpgradeKeepsTheOldVersion("1 crash", "Upgrade failed: the new workers keep dying before they ACK");
    }

    @Test
    void aVersionThatNeverAcksFailsAtTheUpgradeTimeout() throws Exception {
        assertFailedUpgradeKeepsTheOldVersion("1 noack",
                "Upgrade failed: only 0 of 2 new workers ACKed within the upgrade timeout of 3s", "--upgrade-timeout", "3");
    }
}
