package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real master with real python3 workers on loopback: serving, replacing, scaling, stopping. */
class PoolIT {
    @TempDir
    Path dir;

    /**
     * Which worker accepts is the kernel's and the scheduler's choice: on a busy machine one worker can take every
     * connection of a quick burst. So the asks are many and, after the first 300, 10 ms apart (at most ~20 s).
     */
    static final int ASKS = 2300;

    static long askPaced(int port, int i) throws Exception {
        if (i >= 300) Thread.sleep(10);
        return Long.parseLong(EinhornUnderTest.ask(port));
    }

    private EinhornUnderTest startPidServers(int n) throws Exception {
        return EinhornUnderTest.start(dir, "-n", Integer.toString(n), "-b", "127.0.0.1:0", "-m", "manual",
                "python3", EinhornUnderTest.WORKERS.resolve("pid_server.py").toString());
    }

    @Test
    void threeWorkersAnswerAndAKilledOneIsReplaced() throws Exception {
        try (EinhornUnderTest einhorn = startPidServers(3)) {
            List<Long> pids = einhorn.awaitAckedWorkers(3);
            int port = einhorn.port(0);
            Set<Long> answered = new HashSet<>();
            for (int i = 0; i < ASKS && answered.size() < 3; i++) answered.add(askPaced(port, i));
            assertEquals(new HashSet<>(pids), answered, "each of the three workers answers on the shared socket");

            EinhornUnderTest.signal(pids.get(0), "KILL");
            einhorn.awaitLog("===> Exited worker " + pids.get(0) + " (killed by SIGKILL)");
            List<Long> after = einhorn.awaitAckedWorkers(3);
            assertFalse(after.contains(pids.get(0)));
            long replacement = after.stream().filter(p -> !pids.contains(p)).findFirst().orElseThrow();
            Set<Long> answeredAfter = new HashSet<>();
            for (int i = 0; i < ASKS && !answeredAfter.contains(replacement); i++) answeredAfter.add(askPaced(port, i));
            assertTrue(answeredAfter.contains(replacement), "the replacement answers");
        }
    }

    @Test
    void einhornshChangesTheWorkerCount() throws Exception {
        try (EinhornUnderTest einhorn = startPidServers(1)) {
            einhorn.awaitAckedWorkers(1);
            EinhornUnderTest.Result inc = einhornsh("-d", einhorn.socket.toString(), "-e", "inc");
            assertEquals(0, inc.exitCode(), inc.stderr());
            assertEquals("Incrementing number of workers from 1 -> 2\n", inc.stdout());
            einhorn.awaitAckedWorkers(2);
            EinhornUnderTest.Result set = einhornsh("-d", einhorn.socket.toString(), "-e", "set_workers 4; set_workers 2");
            assertEquals("Altering worker count, 2 -> 4. Will spin up additional workers.\n"
                    + "Altering worker count, 4 -> 2. Will gracefully terminate workers.\n", set.stdout());
            List<Long> two = einhorn.awaitAckedWorkers(2);
            assertEquals(2, two.size());
        }
    }

    @Test
    void termStopsEveryWorkerAndExitsZero() throws Exception {
        try (EinhornUnderTest einhorn = startPidServers(2)) {
            List<Long> pids = einhorn.awaitAckedWorkers(2);
            einhorn.signal("TERM");
            assertEquals(0, einhorn.awaitExit());
            for (long pid : pids) assertFalse(EinhornUnderTest.alive(pid), "worker " + pid + " is gone");
            assertTrue(einhorn.logText().contains("Sending TERM to [" + pids.get(0) + ", " + pids.get(1) + "]"));
            assertFalse(Files.exists(einhorn.socket), "the command socket is removed");
            assertFalse(Files.exists(dir.resolve("einhorn.pid")), "the pidfile is removed");
        }
    }

    @Test
    void intAndUsr2StopGracefullyWithTheGracefulSignal() throws Exception {
        for (String sig : List.of("INT", "USR2")) {
            Path sub = Files.createDirectories(dir.resolve(sig));
            try (EinhornUnderTest einhorn = EinhornUnderTest.start(sub, "-n", "1", "-b", "127.0.0.1:0", "-m", "manual",
                    "python3", EinhornUnderTest.WORKERS.resolve("pid_server.py").toString())) {
                List<Long> pids = einhorn.awaitAckedWorkers(1);
                einhorn.signal(sig);
                assertEquals(0, einhorn.awaitExit());
                assertTrue(einhorn.logText().contains("Sending USR2 to [" + pids.get(0) + "]"), einhorn.logText());
                assertTrue(einhorn.logText().contains("===> Exited worker " + pids.get(0) + " (exit status 0)"));
            }
        }
    }

    @Test
    void ttinAndTtouScaleByOne() throws Exception {
        try (EinhornUnderTest einhorn = startPidServers(1)) {
            einhorn.awaitAckedWorkers(1);
            einhorn.signal("TTIN");
            einhorn.awaitAckedWorkers(2);
            einhorn.signal("TTOU");
            einhorn.awaitAckedWorkers(1);
            assertTrue(einhorn.logText().contains("Incrementing number of workers from 1 -> 2"));
            assertTrue(einhorn.logText().contains("Decrementing number of workers from 2 -> 1"));
        }
    }

    /**
     * {@code --max-upgrade-additional 0}, which Ruby Einhorn runs as a one-at-a-time roll, once left no room for a new
     * worker beside the old ones: the upgrade never ended. Bounded by --upgrade-timeout (it fails, exit 2, if stuck).
     */
    @Test
    void aSmoothUpgradeWithMaxUpgradeAdditionalZeroCompletes() throws Exception {
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(dir, "-n", "2", "-b", "127.0.0.1:0", "-m", "manual",
                "--max-upgrade-additional", "0", "--upgrade-timeout", "60",
                "python3", EinhornUnderTest.WORKERS.resolve("pid_server.py").toString())) {
            List<Long> old = einhorn.awaitAckedWorkers(2);
            EinhornUnderTest.Result upgrade = einhornsh("-d", einhorn.socket.toString(), "-e", "upgrade");
            assertEquals(0, upgrade.exitCode(), upgrade.stdout() + upgrade.stderr());
            assertTrue(upgrade.stdout().endsWith("Upgrade done\n"), upgrade.stdout());
            einhorn.awaitOnlyVersion(1);
            List<Long> now = einhorn.awaitAckedWorkers(2);
            assertTrue(now.stream().noneMatch(old::contains), "both workers were replaced: " + old + " -> " + now);
        }
    }

    @Test
    void einhornshOnATerminalGreetsPromptsAndSaysGoodbye() throws Exception {
        try (EinhornUnderTest einhorn = startPidServers(1)) {
            einhorn.awaitAckedWorkers(1);
            // `script` gives einhornsh a pseudo-terminal, as a person at a shell would
            Process p = new ProcessBuilder("script", "-qec", EinhornUnderTest.REPO.resolve("bin/einhornsh") + " -d " + einhorn.socket,
                    "/dev/null").redirectErrorStream(true).start();
            p.getOutputStream().write("inc; dec\nset_workers\nquit\n".getBytes());
            p.getOutputStream().flush();
            String out = new String(p.getInputStream().readAllBytes()).replace("\r", "");
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("You are speaking to Einhorn Master Process " + einhorn.pid()), out);
            assertTrue(out.contains("Enter 'help' if you're not sure what to do."), out);
            assertTrue(out.contains("Incrementing number of workers from 1 -> 2\nDecrementing number of workers from 2 -> 1"), out);
            assertTrue(out.contains("Invalid count: ''. Must be an integer in [1,1000)."), out);
            assertTrue(out.contains("Goodbye!"), out);
        }
    }

    @Test
    void niceRenicesTheMasterAndTheWorkers() throws Exception {
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(dir, "--nice", "3:7", "-n", "1", "sleep", "600")) {
            long worker = einhorn.workerPids().get(0);
            einhorn.awaitLog("Reniced worker " + worker + " to level 7");
            assertEquals(7, niceOf(worker));
            try (var tasks = java.nio.file.Files.list(Path.of("/proc/" + einhorn.pid() + "/task"))) {
                for (Path task : tasks.toList()) assertEquals(3, niceOf(task), "master thread " + task);
            }
        }
    }

    private static int niceOf(long pid) throws Exception {
        return niceOf(Path.of("/proc/" + pid));
    }

    /** Field 19 of /proc/PID/stat. */
    private static int niceOf(Path proc) throws Exception {
        String stat = Files.readString(proc.resolve("stat"));
        return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]);
    }

    @Test
    void einhornshWatchShowsTheWorkersUntilTheMasterGoesAway() throws Exception {
        try (EinhornUnderTest einhorn = startPidServers(2)) {
            List<Long> pids = einhorn.awaitAckedWorkers(2);
            Process watch = new ProcessBuilder(EinhornUnderTest.REPO.resolve("bin/einhornsh").toString(), "-d",
                    einhorn.socket.toString(), "watch").redirectErrorStream(true).start();
            StringBuilder seen = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    byte[] buf = new byte[4096];
                    for (int n; (n = watch.getInputStream().read(buf)) > 0; ) {
                        synchronized (seen) {
                            seen.append(new String(buf, 0, n));
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // the process ended
                }
            });
            reader.start();
            einhorn.awaitTrue("the table lists both workers", () -> {
                synchronized (seen) {
                    return seen.toString().contains(pids.get(0).toString()) && seen.toString().contains(pids.get(1).toString());
                }
            });
            einhorn.signal("TERM");
            assertEquals(0, einhorn.awaitExit());
            assertTrue(watch.waitFor(30, TimeUnit.SECONDS), "watch ends when the master is gone");
            assertEquals(0, watch.exitValue(), seen.toString());
        }
    }

    static EinhornUnderTest.Result einhornsh(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(EinhornUnderTest.REPO.resolve("bin/einhornsh").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new EinhornUnderTest.Result(p.exitValue(), new String(out), new String(err));
    }
}
