package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pidfile, lockfile and command-socket path are opened safely (issue 9): in a world-writable directory
 * without the sticky bit, another user's symlink, FIFO or file at one of them makes einhorn refuse to start with
 * one clear line and exit 1, and the file it points to is never written, truncated, chmod'ed or removed.
 */
@Timeout(120)
class FileSafetyIT {
    @TempDir
    Path dir;
    Path victim;

    @BeforeEach
    void worldWritableDirWithAVictim() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx")); // no sticky bit
        victim = dir.resolve("victim");
        Files.writeString(victim, "precious\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** Starts einhorn over the prepared directory; returns its exit status and output once it has exited. */
    private EinhornUnderTest.Result refusedStart() throws Exception {
        EinhornUnderTest e = EinhornUnderTest.launch(dir, Map.of(), List.of(), EinhornUnderTest.REPO.resolve("bin/einhorn"),
                "-b", "127.0.0.1:0", "python3", EinhornUnderTest.WORKERS.resolve("pid_server.py").toString());
        try (e) {
            if (!e.process.waitFor(60, TimeUnit.SECONDS)) throw new AssertionError("einhorn started:\n" + e.logText());
            return new EinhornUnderTest.Result(e.process.exitValue(), e.logText(), "");
        }
    }

    private void assertVictimUntouched() throws Exception {
        assertEquals("precious\n", Files.readString(victim));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)));
    }

    private void assertRefused(String name, String why) throws Exception {
        Path path = dir.resolve(name);
        EinhornUnderTest.Result r = refusedStart();
        assertEquals(1, r.exitCode(), r.stdout());
        String line = "einhorn: refusing to use " + path + ": " + why;
        assertTrue(r.stdout().lines().anyMatch(l -> l.equals(line)), "expected the line\n" + line + "\nin\n" + r.stdout());
        assertVictimUntouched();
        assertFalse(Files.exists(dir.resolve("einhorn.pid"), LinkOption.NOFOLLOW_LINKS) && !name.equals("einhorn.pid"),
                "no pidfile left behind");
    }

    @Test
    void aPidfileSymlinkIsRefusedAndItsTargetNeverWritten() throws Exception {
        Files.createSymbolicLink(dir.resolve("einhorn.pid"), victim);
        assertRefused("einhorn.pid", "it is a symbolic link");
        assertTrue(Files.isSymbolicLink(dir.resolve("einhorn.pid")), "not ours to remove");
        assertFalse(Files.exists(dir.resolve("einhorn.sock"), LinkOption.NOFOLLOW_LINKS), "our socket removed");
    }

    @Test
    void aLockfileSymlinkIsRefusedAndItsTargetNeitherTruncatedNorChmoded() throws Exception {
        Files.createSymbolicLink(dir.resolve("einhorn.lock"), victim);
        assertRefused("einhorn.lock", "it is a symbolic link");
        assertTrue(Files.isSymbolicLink(dir.resolve("einhorn.lock")), "not ours to remove");
    }

    @Test
    void aSocketPathSymlinkIsRefused() throws Exception {
        Files.createSymbolicLink(dir.resolve("einhorn.sock"), victim);
        assertRefused("einhorn.sock", "it is a symbolic link");
        assertTrue(Files.isSymbolicLink(dir.resolve("einhorn.sock")), "not ours to remove");
    }

    @Test
    void aFifoOrADirectoryIsRefused() throws Exception {
        assertEquals(0, new ProcessBuilder("mkfifo", dir.resolve("einhorn.lock").toString()).start().waitFor());
        assertRefused("einhorn.lock", "it is not a regular file");
        Files.delete(dir.resolve("einhorn.lock"));
        Files.createDirectory(dir.resolve("einhorn.pid"));
        assertRefused("einhorn.pid", "it is not a regular file");
    }

    /**
     * A FIFO or a device node at the command socket path passed for a stale socket (Java's isOther() is true of
     * all three) and was deleted: {@code -d /dev/null} run as root removed /dev/null.
     */
    @Test
    void aFifoOrADeviceNodeAtTheSocketPathIsRefusedAndKept() throws Exception {
        Path sock = dir.resolve("einhorn.sock");
        List<List<String>> makers = List.of(List.of("mkfifo", sock.toString()),
                List.of("mknod", sock.toString(), "c", "1", "3")); // the /dev/null device; mknod needs root
        for (List<String> maker : makers) {
            if (new ProcessBuilder(maker).start().waitFor() != 0) continue; // not root: the FIFO case still ran
            String kind = maker.get(0);
            EinhornUnderTest.Result r = refusedStart();
            assertEquals(1, r.exitCode(), kind + ":\n" + r.stdout());
            assertTrue(r.stdout().contains("einhorn: Non-socket file present at Einhorn command socket path " + sock),
                    kind + ":\n" + r.stdout());
            assertTrue(Files.exists(sock, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(sock, LinkOption.NOFOLLOW_LINKS),
                    kind + ": kept");
            assertVictimUntouched();
            Files.delete(sock);
        }
    }

    /** A path in a directory that does not exist: one line saying so (it used to name a temporary file of ours). */
    @Test
    void aPathInAMissingDirectoryIsOneLineThatSaysWhy() throws Exception {
        Path missing = dir.resolve("missing");
        Map<String, String> expected = Map.of(
                "-d", "einhorn: Could not create the command socket at " + missing.resolve("x.sock") + ": No such file or directory",
                "-e", "einhorn: Could not write " + missing.resolve("x.pid") + ": No such file or directory",
                "-f", "einhorn: refusing to use " + missing.resolve("x.lock") + ": cannot open it: No such file or directory");
        Map<String, String> good = Map.of("-d", dir.resolve("einhorn.sock").toString(), "-e",
                dir.resolve("einhorn.pid").toString(), "-f", dir.resolve("einhorn.lock").toString());
        Map<String, String> bad = Map.of("-d", missing.resolve("x.sock").toString(), "-e",
                missing.resolve("x.pid").toString(), "-f", missing.resolve("x.lock").toString());
        for (String flag : List.of("-d", "-e", "-f")) {
            List<String> args = new java.util.ArrayList<>();
            for (String f : List.of("-d", "-e", "-f")) args.addAll(List.of(f, (f.equals(flag) ? bad : good).get(f)));
            args.addAll(List.of("-b", "127.0.0.1:0", "true"));
            EinhornUnderTest.Result r = EinhornUnderTest.run(dir, args.toArray(new String[0]));
            assertEquals(1, r.exitCode(), flag + ":\n" + r.stdout() + r.stderr());
            assertEquals(List.of(expected.get(flag)), r.stderr().lines().filter(l -> l.startsWith("einhorn:")).toList(),
                    flag + ":\n" + r.stderr());
        }
    }

    @Test
    void aFileOwnedByAnotherUserIsRefused() throws Exception {
        for (String name : List.of("einhorn.pid", "einhorn.lock")) {
            Path path = dir.resolve(name);
            Files.writeString(path, "");
            Files.setAttribute(path, "unix:uid", 65534);
            long ours = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
            assertRefused(name, "it is owned by uid 65534, not by this user (uid " + ours + ")");
            assertEquals("", Files.readString(path));
            Files.delete(path);
        }
    }

    @Test
    void theMasterWritesItsPidfileWholeAndRemovesOnlyItsOwnFilesAtExit() throws Exception {
        try (EinhornUnderTest e = EinhornUnderTest.start(dir, "-b", "127.0.0.1:0", "python3",
                EinhornUnderTest.WORKERS.resolve("pid_server.py").toString())) {
            Path pidfile = dir.resolve("einhorn.pid");
            e.awaitTrue("the pidfile", () -> Files.exists(pidfile)); // written once the socket is bound
            assertEquals(Long.toString(e.pid()), Files.readString(pidfile));
            assertTrue(Files.isRegularFile(pidfile, LinkOption.NOFOLLOW_LINKS));
            try (var leftovers = Files.list(dir)) {
                assertEquals(List.of("einhorn.lock", "einhorn.log", "einhorn.pid", "einhorn.sock", "victim"),
                        leftovers.map(p -> p.getFileName().toString()).sorted().toList(), "no temp file left");
            }
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(e.socket)));
            e.signal("TERM");
            assertEquals(0, e.awaitExit());
            assertFalse(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS));
            assertFalse(Files.exists(e.socket, LinkOption.NOFOLLOW_LINKS));
            assertVictimUntouched();
        }
    }
}
