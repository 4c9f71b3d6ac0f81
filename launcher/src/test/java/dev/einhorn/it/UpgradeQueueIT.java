package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each upgrade request ends on the completion of the upgrade it caused or was queued for, never on an earlier one's
 * (issue 9: a second client was told "Upgrade done" by the first upgrade, before its own version was live).
 */
@Timeout(180)
class UpgradeQueueIT {
    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void anUpgradeRequestedDuringAnotherEndsOnlyOnceItsOwnVersionIsLive() throws Exception {
        Path version = dir.resolve("version");
        Path gate = dir.resolve("gate");
        Files.writeString(version, "1");
        try (EinhornUnderTest e = EinhornUnderTest.start(dir, Map.of("VERSION_FILE", version.toString(), "GATE_FILE", gate.toString()),
                "-n", "1", "-m", "manual", "-b", "127.0.0.1:0",
                "python3", EinhornUnderTest.WORKERS.resolve("version_server.py").toString());
             CommandClient a = new CommandClient(e.socket);
             CommandClient c = new CommandClient(e.socket)) {
            e.awaitAckedWorkers(1);
            Files.writeString(version, "2 hold"); // A's version: ACKs only once the test opens the gate
            a.sendRaw("{\"command\":\"upgrade\",\"id\":\"A\"}\n");
            List<String> streamA = new ArrayList<>();
            while (streamA.stream().noneMatch(m -> m.startsWith("===> Launched"))) streamA.add(message(a.readLine()));
            e.awaitTrue("A's worker to have read its version", () -> Files.exists(dir.resolve("gate.waiting")));

            Files.writeString(version, "3"); // lands on disk while A's upgrade is in flight
            c.sendRaw("{\"command\":\"upgrade\",\"id\":\"C\"}\n");
            List<String> streamC = new ArrayList<>();
            streamC.add(message(c.readLine()));
            assertEquals("Upgrading smoothly, as commanded", streamC.get(0));
            Files.writeString(gate, "open"); // A's worker ACKs: A's upgrade completes

            streamA.addAll(rest(a));
            assertTrue(streamA.contains("Upgraded successfully to version 1 (Einhorn 0.8.2)."), streamA.toString());
            assertEquals("Upgrade done", streamA.get(streamA.size() - 1), streamA.toString());

            streamC.addAll(rest(c));
            assertFalse(streamC.contains("Upgraded successfully to version 1 (Einhorn 0.8.2)."), streamC.toString());
            assertTrue(streamC.contains("Upgraded successfully to version 2 (Einhorn 0.8.2)."), streamC.toString());
            assertEquals("Upgrade done", streamC.get(streamC.size() - 1), streamC.toString());
            assertEquals("Queued: an upgrade is in progress; this one starts once it has finished", streamC.get(1));
            assertTrue(streamC.contains("Starting smooth upgrade from version 1..."), streamC.toString());

            // When C returns, the worker of C's upgrade (version 2, running what was on disk: "3") has ACKed ...
            Map<String, Object> state = e.state();
            assertEquals(2, ((Number) state.get("version")).intValue());
            Map<String, Object> children = (Map<String, Object>) state.get("children");
            assertTrue(children.values().stream().map(w -> (Map<String, Object>) w).anyMatch(w ->
                    Boolean.TRUE.equals(w.get("acked")) && Integer.valueOf(2).equals(w.get("version"))),
                    children.toString());
            // ... and the workers answer with version 3 once the retiring one is gone.
            e.awaitTrue("only version 3 answers", () -> {
                try {
                    return e.workerPids().size() == 1 && EinhornUnderTest.ask(e.port(0)).startsWith("3 ");
                } catch (Exception ex) {
                    return false;
                }
            });
            assertEquals(1, e.count("Starting the queued upgrade"), e.logText());
        }
    }

    private static String message(String line) {
        return String.valueOf(CommandClient.parse(line).get("message"));
    }

    /** The stream's remaining messages, up to the one without {@code wait}. */
    private static List<String> rest(CommandClient client) throws Exception {
        List<String> out = new ArrayList<>();
        while (true) {
            String line = client.readLine();
            if (line == null) throw new AssertionError("the stream ended without a last message: " + out);
            Map<String, Object> reply = CommandClient.parse(line);
            out.add(String.valueOf(reply.get("message")));
            if (!Boolean.TRUE.equals(reply.get("wait"))) return out;
        }
    }
}
