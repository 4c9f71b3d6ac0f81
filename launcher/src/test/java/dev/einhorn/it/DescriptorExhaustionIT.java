package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that opens connections until the master has no file descriptor left. The master used to retry the
 * failed accept at once, forever: 100% CPU and 100,000 log lines a second (3.7 GB in a minute); and a little
 * before that, with no descriptor left to look the peer's uid up, it refused its own user's clients as "user 0".
 * Now it retries once a second, and once the connections are gone it serves again with its workers untouched.
 */
@Timeout(120)
class DescriptorExhaustionIT {
    @TempDir
    Path dir;

    @Test
    void aClientHoldingEveryDescriptorNeitherSpinsTheMasterNorLocksItsUserOut() throws Exception {
        // 256 descriptors (soft and hard, so the JVM cannot raise it): the hog below needs more than that
        EinhornUnderTest einhorn = EinhornUnderTest.launch(dir, Map.of(), List.of("prlimit", "--nofile=256:256", "--"),
                EinhornUnderTest.REPO.resolve("bin/einhorn"), "-n", "1", "-m", "manual", "-b", "127.0.0.1:0",
                "python3", EinhornUnderTest.WORKERS.resolve("pid_server.py").toString());
        try (einhorn) {
            einhorn.awaitTrue("the command socket", einhorn::accepts);
            List<Long> workers = einhorn.awaitAckedWorkers(1);
            List<CommandClient> hog = new ArrayList<>();
            try {
                String exhausted = "Could not accept a command-socket client: Too many open files; trying again in";
                // one at a time until the master runs out: past that, connects wait in the listen queue
                for (int i = 0; i < 400 && !einhorn.logText().contains(exhausted); i++) {
                    hog.add(new CommandClient(einhorn.socket));
                    if (i % 10 == 9) EinhornUnderTest.sleep(100);
                }
                einhorn.awaitLog(exhausted);
                EinhornUnderTest.sleep(3000); // three retry periods: a spinning loop logs hundreds of thousands of lines
                int failures = einhorn.count("Could not accept a command-socket client");
                assertTrue(failures <= 10, failures + " failed accepts logged in about 3 s");
            } finally {
                for (CommandClient c : hog) c.close();
            }
            assertEquals(List.of("Welcome, op! You are speaking to Einhorn Master Process " + einhorn.pid()
                    + ".\nThis is Einhorn 0.8.2.\n"), einhorn.command("{\"command\":\"ehlo\",\"user\":\"op\",\"id\":1}"));
            assertEquals(workers, einhorn.workerPids());
            assertFalse(einhorn.logText().contains("refusing a connection"), "our own user is never refused");
        }
    }
}
