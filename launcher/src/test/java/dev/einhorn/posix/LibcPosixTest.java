package dev.einhorn.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;
import sun.misc.SignalHandler;

class LibcPosixTest {
    private static final LibcPosix POSIX = new LibcPosix();
    private final List<Integer> children = new ArrayList<>();

    @AfterEach
    void killChildren() throws InterruptedException {
        for (int pid : children) {
            POSIX.kill(pid, Signals.KILL);
            awaitExit(pid);
        }
    }

    private int spawn(Map<String, String> env, List<Integer> fds, String... argv) throws PosixException {
        int pid = POSIX.spawn(new SpawnRequest(argv[0], List.of(argv), env, fds));
        children.add(pid);
        return pid;
    }

    private static ExitStatus awaitExit(int pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            Optional<ExitStatus> st = POSIX.reap(pid);
            if (st.isPresent()) {
                return st.get();
            }
            Thread.sleep(5);
        }
        throw new AssertionError("pid " + pid + " did not exit");
    }

    private static ExitStatus awaitAny() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            Optional<ExitStatus> st = POSIX.reapAny();
            if (st.isPresent()) {
                return st.get();
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no child exited");
    }

    private static ServerSocketChannel listener() throws IOException {
        return ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    private static String statusLine(String status, String key) {
        return status.lines().filter(l -> l.startsWith(key + ":")).findFirst().orElseThrow().substring(key.length() + 1).trim();
    }

    private static Set<Integer> openFds(int pid) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return s.map(p -> Integer.parseInt(p.getFileName().toString())).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static String link(int pid, int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
    }

    /** Waits until the exec'd child blocks in its own image (state S: sleep's nanosleep). */
    private static void awaitSettled(int pid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            boolean sleeping = stat.substring(stat.lastIndexOf(')') + 2).startsWith("S");
            if (sleeping) {
                Thread.sleep(20); // ld.so and sleep's own setup are done once it blocks; a margin costs little
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("pid " + pid + " did not settle");
    }

    @Test
    void childGetsCleanSignalsOwnGroupExactFdsAndEnv() throws Exception {
        try (ServerSocketChannel a = listener(); ServerSocketChannel b = listener()) {
            int fdA = POSIX.fdOf(a), fdB = POSIX.fdOf(b);
            Map<String, String> env = Map.of("EINHORN_FD_COUNT", "2", "PATH", "/usr/bin:/bin", "X", "a b=c");
            // Reverse order: the child must see b at 3 and a at 4 whatever the source numbers are.
            int pid = spawn(env, List.of(fdB, fdA), "sleep", "30");

            // posix_spawnp returns once the exec has begun: the dynamic loader may still hold an fd
            // open and /proc/PID/environ may still be empty. Wait until the exec'd sleep settles.
            awaitSettled(pid);
            String status = Files.readString(Path.of("/proc/" + pid + "/status"));
            assertEquals("0000000000000000", statusLine(status, "SigBlk"));
            assertEquals("0000000000000000", statusLine(status, "SigIgn"));
            assertEquals("0000000000000000", statusLine(status, "SigCgt"));

            assertEquals(Set.of(0, 1, 2, 3, 4), openFds(pid));
            int me = POSIX.getpid();
            assertTrue(link(pid, 3).startsWith("socket:["), link(pid, 3));
            assertEquals(link(me, fdB), link(pid, 3));
            assertEquals(link(me, fdA), link(pid, 4));
            for (int fd = 0; fd <= 2; fd++) {
                assertEquals(link(me, fd), link(pid, fd));
            }

            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            assertEquals(String.valueOf(pid), fields[2], "pgid"); // fields: state ppid pgrp ...
            assertEquals(String.valueOf(me), fields[1], "ppid");

            byte[] environ = Files.readAllBytes(Path.of("/proc/" + pid + "/environ"));
            Set<String> got = new TreeSet<>(Arrays.asList(new String(environ).split("\0")));
            Set<String> want = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(want, got);
            assertEquals("sleep\0" + "30\0", Files.readString(Path.of("/proc/" + pid + "/cmdline")));
        }
    }

    @Test
    void shellChildCanUseInheritedSocketAndSeesNoOtherFds(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        try (ServerSocketChannel a = listener()) {
            // The shell lists its own fds with a glob (no extra process, no redirection open yet);
            // the glob's own directory fd is the lowest free one, 4.
            String script = "fds=; for f in /proc/$$/fd/*; do fds=\"$fds ${f##*/}\"; done;"
                    + " echo $fds > \"$1\"; readlink /proc/$$/fd/3 >> \"$1\"";
            int pid = spawn(Map.of("PATH", "/usr/bin:/bin"), List.of(POSIX.fdOf(a)), "sh", "-c", script, "sh", out.toString());
            assertEquals(new ExitStatus(pid, 0, 0), awaitExit(pid));
            List<String> lines = Files.readAllLines(out);
            Set<Integer> fds = Arrays.stream(lines.get(0).split(" ")).map(Integer::valueOf)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(Set.of(0, 1, 2, 3, 4), fds);
            assertEquals(link(POSIX.getpid(), POSIX.fdOf(a)), lines.get(1));
        }
    }

    @Test
    void spawnOfMissingProgramFailsWithEnoent() {
        PosixException e = assertThrows(PosixException.class,
                () -> spawn(Map.of("PATH", "/usr/bin:/bin"), List.of(), "no-such-program-einhorn"));
        assertEquals(2, e.errno());
        assertEquals("posix_spawnp(no-such-program-einhorn): No such file or directory (ENOENT)", e.getMessage());
    }

    @Test
    void argvAndEnvReachTheChildByteForByte(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        // an empty argument, spaces, '=' in a value, a non-ASCII character: each a C string of its own
        int pid = spawn(Map.of("PATH", "/usr/bin:/bin", "V", "x=y z", "E", ""), List.of(), "sh", "-c",
                "printf '%s|%s|%s|%s|%s' \"$1\" \"$2\" \"$3\" \"$V\" \"${E-unset}\" > \"$4\"", "sh", "", "a b", "\u00e9t\u00e9",
                out.toString());
        assertEquals(new ExitStatus(pid, 0, 0), awaitExit(pid));
        // the bytes of each string in the charset the JDK uses for arguments (UTF-8 here; ASCII in a C locale)
        assertArrayEquals("|a b|\u00e9t\u00e9|x=y z|".getBytes(NativeMemory.CHARSET), Files.readAllBytes(out));
    }

    @Test
    void aMemfdHoldsTheBytesFromPositionZeroAndIsInheritable() throws Exception {
        byte[] content = new byte[200_000]; // more than one read of readToEndAndClose
        new java.util.Random(7).nextBytes(content);
        int fd = POSIX.memfdWith(content);
        assertFalse(POSIX.isCloseOnExec(fd));
        assertTrue(link(POSIX.getpid(), fd).startsWith("/memfd:einhorn-state"), link(POSIX.getpid(), fd));
        assertTrue(Arrays.equals(content, POSIX.readToEndAndClose(fd)));
        PosixException closed = assertThrows(PosixException.class, () -> POSIX.isCloseOnExec(fd));
        assertEquals(9, closed.errno());
    }

    @Test
    void aPipeCarriesWhatWriteFullyWrote() throws Exception {
        int[] fds = POSIX.pipe();
        assertFalse(POSIX.isCloseOnExec(fds[0]));
        assertFalse(POSIX.isCloseOnExec(fds[1]));
        byte[] data = "one line\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(POSIX.writeFully(fds[1], data));
        POSIX.close(fds[1]);
        assertEquals("one line\n", new String(POSIX.readToEndAndClose(fds[0]), java.nio.charset.StandardCharsets.UTF_8));
        assertFalse(POSIX.writeFully(fds[1], data), "a closed fd");
    }

    @Test
    void writeAvailableFillsANonBlockingPipeAndThenWritesNothingInsteadOfWaiting() throws Exception {
        int[] fds = POSIX.pipe();
        try {
            POSIX.setNonBlocking(fds[1], true);
            byte[] chunk = new byte[4096];
            long written = 0;
            int n;
            while ((n = POSIX.writeAvailable(fds[1], chunk, 0, chunk.length)) > 0) written += n;
            assertEquals(0, n, "full");
            assertTrue(written >= 4096, "a pipe holds at least a page: " + written);
            assertEquals(0, POSIX.writeAvailable(fds[1], chunk, 100, 10), "still full");
            POSIX.close(fds[0]);
            fds[0] = -1;
            PosixException gone = assertThrows(PosixException.class, () -> POSIX.writeAvailable(fds[1], chunk, 0, 1));
            assertTrue(gone.getMessage().contains("EPIPE"), gone.getMessage());
        } finally {
            if (fds[0] >= 0) POSIX.close(fds[0]);
            POSIX.close(fds[1]);
        }
    }

    @Test
    void setNiceChangesTheChildsNiceLevel() throws Exception {
        int pid = spawn(Map.of(), List.of(), "/bin/sleep", "30");
        POSIX.setNice(pid, 7);
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        assertEquals("7", stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]); // field 19: nice
        PosixException e = assertThrows(PosixException.class, () -> POSIX.setNice(-5, 0));
        assertTrue(e.getMessage().startsWith("setpriority(-5, 0): "), e.getMessage());
    }

    @Test
    void execveOfAMissingFileThrowsAndThisProcessGoesOn() {
        PosixException e = assertThrows(PosixException.class,
                () -> POSIX.execve("/nonexistent/einhorn", List.of("einhorn"), Map.of("A", "b")));
        assertEquals("execve(/nonexistent/einhorn): No such file or directory (ENOENT)", e.getMessage());
    }

    @Test
    void reapAnyReportsExitCodeAndSignal() throws Exception {
        int pid = spawn(Map.of(), List.of(), "/bin/sh", "-c", "exit 7");
        assertEquals(new ExitStatus(pid, 7, 0), awaitAny());

        int sleeper = spawn(Map.of(), List.of(), "/bin/sleep", "30");
        assertTrue(POSIX.kill(sleeper, Signals.KILL));
        ExitStatus st = awaitAny();
        assertEquals(new ExitStatus(sleeper, 0, 9), st);
        assertEquals("killed by SIGKILL", st.describe());
    }

    @Test
    void reapAnyIsEmptyWhileChildrenRunOrNoneExist() throws Exception {
        assertEquals(Optional.empty(), POSIX.reapAny());
        int pid = spawn(Map.of(), List.of(), "/bin/sleep", "30");
        assertEquals(Optional.empty(), POSIX.reapAny());
        assertEquals(Optional.empty(), POSIX.reap(pid));
    }

    @Test
    void reapOfAnAlreadyReapedChildIsUnknownAndKillOfItIsFalse() throws Exception {
        int pid = spawn(Map.of(), List.of(), "/bin/true");
        assertEquals(new ExitStatus(pid, 0, 0), awaitExit(pid));
        assertEquals(Optional.of(ExitStatus.unknown(pid)), POSIX.reap(pid));
        assertFalse(POSIX.kill(pid, Signals.TERM));
        assertFalse(POSIX.kill(Integer.MAX_VALUE, 0));
    }

    @Test
    void killWithBadSignalThrows() {
        assertThrows(IllegalStateException.class, () -> POSIX.kill(POSIX.getpid(), 999));
    }

    @Test
    void fdOfNamesTheRealFd(@TempDir Path dir) throws Exception {
        try (ServerSocketChannel inet = listener();
                ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                        .bind(UnixDomainSocketAddress.of(dir.resolve("s")))) {
            Pipe pipe = Pipe.open();
            try {
                int me = POSIX.getpid();
                assertTrue(link(me, POSIX.fdOf(inet)).startsWith("socket:["));
                assertTrue(link(me, POSIX.fdOf(unix)).startsWith("socket:["));
                assertTrue(link(me, POSIX.fdOf(pipe.source())).startsWith("pipe:["));
                assertEquals(link(me, POSIX.fdOf(pipe.source())), link(me, POSIX.fdOf(pipe.sink())));
            } finally {
                pipe.source().close();
                pipe.sink().close();
            }
        }
    }

    private static int fdinfoFlags(int fd) throws IOException {
        String info = Files.readString(Path.of("/proc/self/fdinfo/" + fd));
        return Integer.parseInt(statusLine(info, "flags"), 8);
    }

    @Test
    void fcntlFlags() throws Exception {
        Pipe pipe = Pipe.open();
        try {
            int fd = POSIX.fdOf(pipe.sink());
            POSIX.setNonBlocking(fd, true);
            assertEquals(0x800, fdinfoFlags(fd) & 0x800);
            POSIX.setNonBlocking(fd, false);
            assertEquals(0, fdinfoFlags(fd) & 0x800);
            POSIX.setCloseOnExec(fd, true);
            assertTrue(POSIX.isCloseOnExec(fd));
            assertEquals(0x80000, fdinfoFlags(fd) & 0x80000); // O_CLOEXEC as shown in fdinfo
            POSIX.setCloseOnExec(fd, false);
            assertFalse(POSIX.isCloseOnExec(fd));
        } finally {
            pipe.source().close();
            pipe.sink().close();
        }
        PosixException e = assertThrows(PosixException.class, () -> POSIX.setCloseOnExec(1 << 20, true));
        assertTrue(e.getMessage().contains("EBADF"), e.getMessage());
    }

    /**
     * A source fd at the top of the fd table (RLIMIT_NOFILE - 1: e.g. the -g connection of a master whose table is
     * almost full) is still handed over: the temporaries the dup2s go through must fit under the limit too.
     */
    @Test
    void aSourceFdAtTheTopOfTheFdTableIsStillInherited() throws Exception {
        int top = softFdLimit() - 1;
        NativeFunction dup2 = NativeFunction.libc("dup2", com.kenai.jffi.Type.SINT, com.kenai.jffi.Type.SINT,
                com.kenai.jffi.Type.SINT);
        try (ServerSocketChannel a = listener(); ServerSocketChannel b = listener()) {
            assertEquals(top, dup2.invokeInt(POSIX.fdOf(b), top), "dup2 to " + top);
            try {
                int pid = spawn(Map.of(), List.of(POSIX.fdOf(a), top), "/bin/sleep", "30");
                awaitSettled(pid);
                assertEquals(Set.of(0, 1, 2, 3, 4), openFds(pid));
                assertEquals(link(POSIX.getpid(), POSIX.fdOf(a)), link(pid, 3));
                assertEquals(link(POSIX.getpid(), top), link(pid, 4));
            } finally {
                POSIX.close(top);
            }
        }
    }

    /** This process's soft RLIMIT_NOFILE, from /proc/self/limits. */
    private static int softFdLimit() throws IOException {
        String line = Files.readAllLines(Path.of("/proc/self/limits")).stream()
                .filter(l -> l.startsWith("Max open files")).findFirst().orElseThrow();
        return Integer.parseInt(line.substring("Max open files".length()).trim().split("\\s+")[0]);
    }

    @Test
    void closeOnExecSourceFdsAreStillInherited() throws Exception {
        try (ServerSocketChannel a = listener()) {
            int fd = POSIX.fdOf(a);
            POSIX.setCloseOnExec(fd, true);
            int pid = spawn(Map.of(), List.of(fd), "/bin/sleep", "30");
            awaitSettled(pid);
            assertEquals(Set.of(0, 1, 2, 3), openFds(pid));
            assertEquals(link(POSIX.getpid(), fd), link(pid, 3));
        }
    }

    @Test
    void hupHandlerWorksOnlyAfterResetFromIgnored() throws Exception {
        Signal hup = new Signal("HUP");
        SignalHandler original = Signal.handle(hup, s -> { });
        CountDownLatch ignoredRun = new CountDownLatch(1);
        CountDownLatch resetRun = new CountDownLatch(1);
        try {
            // As under nohup: the JVM refuses (silently) to install a HUP handler while HUP is ignored.
            POSIX.setDisposition(Signals.HUP, LibcPosix.SIG_IGN);
            Signal.handle(hup, s -> ignoredRun.countDown());
            assertTrue(POSIX.kill(POSIX.getpid(), Signals.HUP));
            assertFalse(ignoredRun.await(300, TimeUnit.MILLISECONDS), "handler ran although HUP was ignored");

            POSIX.resetSignalToDefault(Signals.HUP);
            Signal.handle(hup, s -> resetRun.countDown());
            assertTrue(POSIX.kill(POSIX.getpid(), Signals.HUP));
            assertTrue(resetRun.await(5, TimeUnit.SECONDS), "handler did not run after reset");
        } finally {
            Signal.handle(hup, original);
        }
    }

    @Test
    void unblockSignalAcceptsRealSignalsOnly() throws Exception {
        POSIX.unblockSignal(Signals.USR1);
        assertThrows(PosixException.class, () -> POSIX.unblockSignal(999));
    }
}
