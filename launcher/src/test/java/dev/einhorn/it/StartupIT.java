package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/einhorn's command line and start-up failures: one clear line, exit 1, and nothing of a running master lost. */
class StartupIT {
    @TempDir
    Path dir;

    private EinhornUnderTest.Result run(String... args) throws Exception {
        return EinhornUnderTest.run(dir, args);
    }

    private static void assertOneLineError(EinhornUnderTest.Result r, String expected) {
        assertEquals(1, r.exitCode(), r.stderr());
        assertEquals(expected + "\n", r.stderr());
    }

    @Test
    void noProgramPrintsTheShortUsage() throws Exception {
        EinhornUnderTest.Result r = run();
        assertEquals(1, r.exitCode());
        assertTrue(r.stdout().startsWith("## Usage"), r.stdout());
    }

    @Test
    void versionAndUpgradeCheck() throws Exception {
        EinhornUnderTest.Result v = run("--version");
        assertEquals(0, v.exitCode());
        assertTrue(v.stdout().contains("Einhorn 0.8.2"), v.stdout());
        assertEquals(0, run("--upgrade-check").exitCode());
    }

    @Test
    void badFlagsAreRejectedWithOneLine() throws Exception {
        assertOneLineError(run("--bogus", "sleep", "1"), "einhorn: unknown option: --bogus");
        assertOneLineError(run("-n", "abc", "sleep", "1"), "einhorn: -n/--number: \"abc\" is not a positive integer");
        assertOneLineError(run("-n", "0", "sleep", "1"), "einhorn: -n/--number: \"0\" is not a positive integer");
        assertOneLineError(run("-m", "foo", "sleep", "1"),
                "einhorn: -m/--ack-mode: Invalid ack-mode \"foo\" (valid modes: FLOAT or manual)");
        EinhornUnderTest.Result rn = run("-b", "127.0.0.1:0,rn", "sleep", "1");
        assertEquals(1, rn.exitCode());
        assertTrue(rn.stderr().startsWith("einhorn: -b \"127.0.0.1:0,rn\": unknown flag \"rn\""), rn.stderr());
    }

    @Test
    void aBusyPortFailsCleanlyAndRemovesWhatItCreated() throws Exception {
        try (ServerSocketChannel busy = ServerSocketChannel.open()) {
            busy.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) busy.getLocalAddress()).getPort();
            EinhornUnderTest.Result r = run("-d", dir.resolve("s").toString(), "-e", dir.resolve("p").toString(),
                    "-f", dir.resolve("l").toString(), "-b", "127.0.0.1:" + port, "sleep", "60");
            assertEquals(1, r.exitCode());
            assertTrue(r.stderr().contains("einhorn: Could not bind 127.0.0.1:" + port + ": Address already in use"),
                    r.stderr());
            assertFalse(Files.exists(dir.resolve("s")), "the command socket is removed");
            assertFalse(Files.exists(dir.resolve("p")), "the pidfile is removed");
        }
    }

    @Test
    void aMissingProgramFailsCleanly() throws Exception {
        EinhornUnderTest.Result r = run("-d", dir.resolve("s").toString(), "-e", dir.resolve("p").toString(),
                "-f", dir.resolve("l").toString(), "no-such-program-here");
        assertEquals(1, r.exitCode());
        assertTrue(r.stderr().contains("einhorn: Could not find no-such-program-here in PATH"), r.stderr());
    }

    @Test
    void aSecondMasterOnTheSameSocketIsRefusedAndTheFirstKeepsItsPidfile() throws Exception {
        try (EinhornUnderTest first = EinhornUnderTest.start(dir, "-m", "manual", "-b", "127.0.0.1:0",
                "python3", EinhornUnderTest.WORKERS.resolve("pid_server.py").toString())) {
            List<Long> workers = first.awaitAckedWorkers(1);
            Path other = Files.createDirectories(dir.resolve("other"));
            EinhornUnderTest.Result r = EinhornUnderTest.run(other, "-d", first.socket.toString(), "-e", dir.resolve("einhorn.pid").toString(),
                    "-f", other.resolve("l").toString(), "sleep", "60");
            assertEquals(1, r.exitCode());
            assertTrue(r.stderr().contains("Another process (probably another Einhorn) is listening on the Einhorn "
                    + "command socket at " + first.socket), r.stderr());
            assertEquals(Long.toString(first.pid()), Files.readString(dir.resolve("einhorn.pid")),
                    "the running master's pidfile survives (Einhorn deletes it)");
            assertEquals(workers, first.workerPids(), "the first master still serves");
            Long.parseLong(EinhornUnderTest.ask(first.port(0)));
        }
    }

    @Test
    void aNonSocketFileAtTheSocketPathIsRefusedAndAStaleSocketIsReplaced() throws Exception {
        Path file = dir.resolve("plain-file");
        Files.writeString(file, "not a socket");
        EinhornUnderTest.Result r = run("-d", file.toString(), "-e", dir.resolve("p").toString(),
                "-f", dir.resolve("l").toString(), "sleep", "60");
        assertEquals(1, r.exitCode());
        assertTrue(r.stderr().contains("Non-socket file present at Einhorn command socket path " + file), r.stderr());
        assertEquals("not a socket", Files.readString(file), "the file is left alone");

        // a socket file nobody listens on: blown away, and the new master serves
        try (ServerSocketChannel stale = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            stale.bind(java.net.UnixDomainSocketAddress.of(dir.resolve("einhorn.sock")));
        }
        try (EinhornUnderTest e = EinhornUnderTest.start(dir, "sleep", "60")) {
            e.awaitLog("Blowing away old Einhorn command socket at " + dir.resolve("einhorn.sock"));
            assertEquals(1, e.workerPids().size());
        }
    }
}
