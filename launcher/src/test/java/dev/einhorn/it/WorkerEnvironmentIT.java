package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** What a worker inherits: exactly its fds, clean signal state, its own process group, Einhorn's variables. */
class WorkerEnvironmentIT {
    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void aWorkerSeesOnlyItsSocketsAndCleanSignalState() throws Exception {
        Path reports = Files.createDirectories(dir.resolve("reports"));
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(dir, Map.of("REPORT_DIR", reports.toString()),
                "-b", "127.0.0.1:0", "-b", "[::1]:0,r", "-g", "-c", "envtest",
                "sh", "-c", "cat /proc/self/status > \"$REPORT_DIR/status.txt\"; exec python3 \"$0\"",
                EinhornUnderTest.WORKERS.resolve("report.py").toString())) {
            einhorn.awaitTrue("a report", () -> reports.toFile().list((d, n) -> n.endsWith(".json")).length > 0);
            Path report = Files.list(reports).filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
            Map<String, Object> r = (Map<String, Object>) new Load(LoadSettings.builder().build())
                    .loadFromString(Files.readString(report));
            // python3 ignores PIPE and XFSZ itself: the signal state is read by cat, exec'd by the worker's shell
            String status = Files.readString(reports.resolve("status.txt"));
            assertTrue(status.contains("SigBlk:\t0000000000000000\n"), status);
            assertTrue(status.contains("SigIgn:\t0000000000000000\n"), status);
            assertTrue(status.contains("SigCgt:\t0000000000000000\n"), status);
            long pid = ((Number) r.get("pid")).longValue();
            assertEquals(pid, ((Number) r.get("pgid")).longValue(), "its own process group");
            assertEquals(einhorn.pid(), ((Number) r.get("ppid")).longValue());

            Map<String, String> fds = new TreeMap<>((Map<String, String>) r.get("fds"));
            fds.values().removeIf(link -> link.startsWith("/proc/")); // python's own listdir handle
            assertEquals(java.util.Set.of("0", "1", "2", "3", "4", "5"), fds.keySet(), "fds: " + fds);
            assertTrue(fds.get("3").startsWith("socket:"), fds.toString());
            assertTrue(fds.get("4").startsWith("socket:"), fds.toString());
            assertTrue(fds.get("5").startsWith("socket:"), "-g: the command connection " + fds);

            Map<String, String> env = (Map<String, String>) r.get("env");
            assertEquals("2", env.get("EINHORN_FD_COUNT"));
            assertEquals("3", env.get("EINHORN_FD_0"));
            assertEquals("4", env.get("EINHORN_FD_1"));
            assertEquals("AF_INET6", env.get("EINHORN_FD_FAMILY_1"));
            assertEquals("5", env.get("EINHORN_SOCK_FD"));
            assertEquals("0", env.get("EINHORN_CHILD_INDEX"));
            assertEquals(Long.toString(einhorn.pid()), env.get("EINHORN_MASTER_PID"));
            assertEquals(einhorn.socket.toString(), env.get("EINHORN_SOCK_PATH"));

            // fd 3 is the very socket the master bound: its inode matches the master's listening socket
            String inode = fds.get("3");
            boolean inMaster = Files.list(Path.of("/proc/" + einhorn.pid() + "/fd")).anyMatch(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().equals(inode);
                } catch (Exception e) {
                    return false;
                }
            });
            assertTrue(inMaster, "fd 3 is the master's bound socket");
        }
    }

    @Test
    void theSockFdOfDashGReallyAcks() throws Exception {
        Path script = dir.resolve("ack_fd.sh");
        Files.writeString(script, "#!/bin/sh\nprintf '{\"command\":\"worker:ack\",\"pid\":%d}\\n' $$ >&$EINHORN_SOCK_FD\n"
                + "exec sleep 600\n");
        script.toFile().setExecutable(true);
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(dir, "-g", "-m", "manual", script.toString())) {
            einhorn.awaitAckedWorkers(1);
            assertTrue(einhorn.logText().contains("Received a manual ACK from"));
        }
    }

    @Test
    void legacySrvTemplatesAreBoundAndReplacedByTheFd() throws Exception {
        Path args = dir.resolve("args");
        Path script = dir.resolve("show_args.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$@\" > " + args + "\nreadlink /proc/self/fd/3 >> " + args
                + "\nexec sleep 600\n");
        script.toFile().setExecutable(true);
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(dir, script.toString(), "--port=srv:127.0.0.1:0,r", "srv:127.0.0.1:0")) {
            einhorn.awaitTrue("the worker's report", () -> {
                try {
                    return Files.readString(args).lines().count() == 2;
                } catch (Exception e) {
                    return false;
                }
            });
            List<String> lines = Files.readAllLines(args);
            assertEquals("--port=3 3", lines.get(0), "both templates share one socket, at fd 3");
            assertTrue(lines.get(1).startsWith("socket:"), lines.toString());
            assertEquals(2, einhorn.count("Using deprecated command-line configuration for Einhorn; should upgrade "
                    + "to the environment variable interface."));
        }
    }

    @Test
    void timerAckCountsAWorkerAliveAfterTheTimeout() throws Exception {
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(dir, "-m", "0.5", "-n", "2", "sleep", "600")) {
            einhorn.awaitAckedWorkers(2);
            assertTrue(einhorn.logText().contains("so we are considering it alive."), einhorn.logText());
            assertTrue(einhorn.logText().contains("Up to 2 / 2 timer ACKs"), einhorn.logText());
        }
    }

    /**
     * The user's environment reaches workers less only what Einhorn sets per worker (issue 9: every EINHORN_* was
     * dropped, the user's own EINHORN_ENV included); an outer einhorn's per-worker values never leak through.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aUsersOwnEinhornVariablesReachTheWorkerButAnOuterEinhornsDoNot() throws Exception {
        Path reports = Files.createDirectories(dir.resolve("reports"));
        Map<String, String> env = Map.of("REPORT_DIR", reports.toString(), "EINHORN_ENV", "production",
                "EINHORN_FD_7", "12", "EINHORN_FD_FAMILY_7", "AF_INET", "EINHORN_SOCK_FD", "9",
                "EINHORN_CHILD_INDEX", "5", "EINHORN_FDS", "12", "EINHORN_MASTER_PID", "1");
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(dir, env, "-b", "127.0.0.1:0", "python3",
                EinhornUnderTest.WORKERS.resolve("report.py").toString())) {
            einhorn.awaitTrue("a report", () -> reports.toFile().list((d, n) -> n.endsWith(".json")).length > 0);
            Path report = Files.list(reports).filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
            Map<String, Object> r = (Map<String, Object>) new Load(LoadSettings.builder().build())
                    .loadFromString(Files.readString(report));
            Map<String, String> seen = new TreeMap<>((Map<String, String>) r.get("env"));
            assertEquals("production", seen.get("EINHORN_ENV"), seen.toString());
            assertEquals(java.util.Set.of("EINHORN_ENV", "EINHORN_FD_0", "EINHORN_FD_FAMILY_0", "EINHORN_FD_COUNT",
                    "EINHORN_FDS", "EINHORN_SOCK_PATH", "EINHORN_MASTER_PID", "EINHORN_CHILD_INDEX",
                    "EINHORN_GRACEFUL_SIGNAL"), seen.keySet(), "no EINHORN_FD_7, no EINHORN_SOCK_FD without -g");
            assertEquals("0", seen.get("EINHORN_CHILD_INDEX"));
            assertEquals("3", seen.get("EINHORN_FDS"));
            assertEquals(Long.toString(einhorn.pid()), seen.get("EINHORN_MASTER_PID"));
        }
    }
}
