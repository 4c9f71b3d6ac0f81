package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master as PID 1 of a PID namespace, as the entry point of a container (docs/OPERATIONS.md, "Containers"):
 * orphans reparented to it are reaped quietly (issue 9: each was logged "ERROR: Could not find any config for
 * exited child N! This probably indicates a bug in Einhorn."), its workers serve, and it stops cleanly.
 *
 * <p>Pids in state are the namespace's: this test never hands them to the harness, which kills workers by pid.
 */
@Timeout(120)
class Pid1IT {
    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void asPid1TheMasterReapsOrphansQuietlyAndServes() throws Exception {
        Assumptions.assumeTrue(unshareWorks(), "unshare --pid needs root (or user namespaces)");
        // Each worker leaves an orphan behind (a background sleep whose parent subshell exits at once): reparented
        // to PID 1, the master, which reaps it when it exits.
        String worker = "(sleep 0.3 &) ; exec python3 \"$0\"";
        EinhornUnderTest e = EinhornUnderTest.launch(dir, Map.of(),
                List.of("unshare", "--fork", "--pid", "--mount-proc", "--kill-child"), EinhornUnderTest.REPO.resolve("bin/einhorn"),
                "-v", "-n", "2", "-m", "manual", "-b", "127.0.0.1:0", "sh", "-c", worker,
                EinhornUnderTest.WORKERS.resolve("pid_server.py").toString());
        try {
            e.awaitTrue("the command socket", e::accepts);
            e.awaitTrue("two acked workers", () -> {
                try {
                    Map<String, Object> children = (Map<String, Object>) e.state().get("children");
                    return children.size() == 2 && children.values().stream()
                            .allMatch(c -> Boolean.TRUE.equals(((Map<String, Object>) c).get("acked")));
                } catch (Exception ex) {
                    return false;
                }
            });
            e.awaitTrue("two orphans reaped", () -> e.count("DEBUG: Reaped orphan") >= 2);
            String log = e.logText();
            assertTrue(log.contains("[MASTER 1] DEBUG: Reaped orphan "), log);
            assertFalse(log.contains("Could not find any config"), log);
            assertFalse(log.contains("ERROR"), log);
            assertTrue(EinhornUnderTest.ask(e.port(0)).matches("[0-9]+"), "a worker answers with its pid");
            assertEquals(List.of("Einhorn is going down! "), e.command("{\"command\":\"die\",\"args\":[],\"id\":1}"));
            assertTrue(e.process.waitFor(60, TimeUnit.SECONDS), e.logText());
            assertEquals(0, e.process.exitValue(), e.logText());
        } finally {
            // --kill-child: killing unshare kills the master, and with PID 1 every process of the namespace
            e.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static boolean unshareWorks() throws Exception {
        Process p = new ProcessBuilder("unshare", "--fork", "--pid", "--mount-proc", "--kill-child", "true")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
