package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upstream's upgrade and re-exec scenarios (docs/COMPATIBILITY.md#upstream-tests), against bin/einhorn. */
class ReloadIT {
    @TempDir
    Path dir;

    private Path versionFile(String content) throws Exception {
        Path f = dir.resolve("version");
        Files.writeString(f, content);
        return f;
    }

    private EinhornUnderTest start(Map<String, String> env, String... flags) throws Exception {
        Map<String, String> e = new HashMap<>(env);
        e.putIfAbsent("VERSION_FILE", versionFile("0").toString());
        List<String> args = new java.util.ArrayList<>(List.of("-m", "manual", "-b", "127.0.0.1:0", "-s", "0.2"));
        args.addAll(List.of(flags));
        args.addAll(List.of("python3", EinhornUnderTest.WORKERS.resolve("version_server.py").toString()));
        return EinhornUnderTest.start(dir, e, args.toArray(String[]::new));
    }

    private static String answer(EinhornUnderTest e) throws Exception {
        return EinhornUnderTest.ask(e.port(0)).split(" ")[0];
    }

    private static void upgrade(EinhornUnderTest e) throws Exception {
        EinhornUnderTest.Result r = e.einhornsh("upgrade");
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().endsWith("Upgrade done\n"), r.stdout());
    }

    @Test
    void canRestart() throws Exception {
        try (EinhornUnderTest e = start(Map.of())) {
            long masterPid = e.pid();
            e.awaitAckedWorkers(1);
            assertEquals("0", answer(e));
            versionFile("1");
            upgrade(e);
            e.awaitTrue("only version 1 answers", () -> {
                try {
                    return answer(e).equals("1") && e.workerPids().size() == 1;
                } catch (Exception ex) {
                    return false;
                }
            });
            assertEquals(masterPid, e.pid());
            assertTrue(e.process.isAlive(), "same master process after the re-exec");
        }
    }

    private void assertEnvAcrossUpgrade(Map<String, String> env, String before, String after, String... flags)
            throws Exception {
        Map<String, String> e2 = new HashMap<>(env);
        e2.put("ECHO_VARS", env.containsKey("VAR1") ? "VAR1,VAR2" : "VAR");
        try (EinhornUnderTest e = start(e2, flags)) {
            e.awaitAckedWorkers(1);
            assertEquals("[" + before + "]", answer(e));
            upgrade(e);
            e.awaitTrue("the new worker answers", () -> {
                try {
                    return e.workerPids().size() == 1 && answer(e).equals("[" + after + "]");
                } catch (Exception ex) {
                    return false;
                }
            });
        }
    }

    private String einhorn() {
        return EinhornUnderTest.REPO.resolve("bin/einhorn").toString();
    }

    @Test
    void reexecAsPreservesEnvironment() throws Exception {
        assertEnvAcrossUpgrade(Map.of("VAR", "a"), "a", "a", "--reexec-as=env VAR=a " + einhorn());
    }

    @Test
    void reexecAsCanChangeEnvironment() throws Exception {
        assertEnvAcrossUpgrade(Map.of("VAR", "a"), "a", "b", "--reexec-as=env VAR=b OINK=b " + einhorn());
    }

    @Test
    void dropEnvVarRemovesAVariableAfterUpgrade() throws Exception {
        assertEnvAcrossUpgrade(Map.of("VAR", "a"), "a", "", "--drop-env-var=VAR");
    }

    @Test
    void dropEnvVarAndReexecAsDoNotClobberEachOther() throws Exception {
        assertEnvAcrossUpgrade(Map.of("VAR1", "a", "VAR2", "a"), "aa", "b", "--drop-env-var=VAR1",
                "--drop-env-var=VAR2", "--reexec-as=env VAR2=b " + einhorn());
    }

    @Test
    void aWorkerThatDiesDuringTheReexecIsCleanedUp() throws Exception {
        Path wrapper = dir.resolve("slow_reexec.sh");
        Files.writeString(wrapper, "#!/bin/sh\nif [ \"$1\" = --with-state-fd ]; then sleep 3; fi\nexec "
                + einhorn() + " \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        try (EinhornUnderTest e = start(Map.of(), "--reexec-as=" + wrapper)) {
            long old = e.awaitAckedWorkers(1).get(0);
            versionFile("1");
            Thread upgrader = new Thread(() -> {
                try {
                    upgrade(e);
                } catch (Exception ex) {
                    throw new AssertionError(ex);
                }
            });
            upgrader.start();
            e.awaitLog("About to re-exec einhorn master");
            EinhornUnderTest.signal(old, "USR2"); // exits while the wrapper holds the master's pid
            upgrader.join(120_000);
            List<Long> now = e.awaitAckedWorkers(1);
            assertFalse(now.contains(old));
            // the wrapper's shell reaped it: say so rather than a bare "exit status unknown"
            assertTrue(e.logText().contains("===> Exited worker " + old + " (exit status unknown: it exited during "
                    + "the master's re-exec and was reaped by the program that held the master's pid meanwhile)"),
                    e.logText());
            assertEquals("1", answer(e));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void signalTimeoutKillsAWorkerThatIgnoresTheGracefulSignal() throws Exception {
        try (EinhornUnderTest e = start(Map.of("IGNORE_GRACEFUL", "1"), "--signal-timeout", "2")) {
            long old = e.awaitAckedWorkers(1).get(0);
            upgrade(e);
            Map<String, Object> children = (Map<String, Object>) e.state().get("children");
            assertEquals(2, children.size());
            long signaled = children.values().stream()
                    .filter(c -> !((List<?>) ((Map<String, Object>) c).get("signaled")).isEmpty()).count();
            assertEquals(1, signaled);
            e.awaitLog("===> Exited worker " + old + " (killed by SIGKILL)");
            assertTrue(e.logText().contains("Sending SIGKILL as it is still active after 2s timeout."));
            assertEquals(1, ((Map<String, Object>) e.state().get("children")).size());
        }
    }

    @Test
    void pidClientsAndFdsSurviveManyReloads() throws Exception {
        try (EinhornUnderTest e = start(Map.of(), "-n", "2")) {
            List<Long> workers = e.awaitAckedWorkers(2);
            try (CommandClient early = new CommandClient(e.socket)) {
                e.reload();
                long fdsAfterFirst = Files.list(Path.of("/proc/" + e.pid() + "/fd")).count();
                e.reload();
                e.reload();
                List<String> reply = early.request("{\"command\":\"ehlo\",\"user\":\"early\",\"id\":7}");
                assertTrue(reply.get(0).startsWith("Welcome, early! You are speaking to Einhorn Master Process "
                        + e.pid()), reply.toString());
                for (int i = 3; i < 20; i++) e.reload();
                assertTrue(e.process.isAlive());
                assertEquals(fdsAfterFirst, Files.list(Path.of("/proc/" + e.pid() + "/fd")).count(),
                        "no fd leaks across 20 reloads");
                assertEquals(workers, e.workerPids(), "the same workers, adopted 20 times");
                assertTrue(early.request("{\"command\":\"state\",\"id\":8}").get(0).contains(":children:"));
            }
        }
    }

    @Test
    void killChildrenOnExitSurvivesReloadsAndFiresOnSigkill() throws Exception {
        Path signals = Files.createDirectories(dir.resolve("signals"));
        try (EinhornUnderTest e = start(Map.of("SIGNAL_DIR", signals.toString()), "-k", "-n", "2")) {
            List<Long> workers = e.awaitAckedWorkers(2);
            e.reload();
            e.reload();
            e.reload();
            assertEquals(0, Files.list(signals).count(), "no worker was signaled by three reloads");
            assertEquals(workers, e.workerPids());
            EinhornUnderTest.signal(e.pid(), "KILL");
            e.awaitTrue("both workers got USR2", () -> workers.stream().allMatch(pid -> {
                try {
                    return Files.readString(signals.resolve(Long.toString(pid))).contains("SIGUSR2");
                } catch (Exception ex) {
                    return false;
                }
            }));
            e.awaitTrue("both workers exited", () -> workers.stream().noneMatch(EinhornUnderTest::alive));
        }
    }

    /**
     * A -k watchdog that does not read (stopped, or starved) lets its pipe fill up: a blocking write of the next
     * "+ PID" line would park the master's loop thread for good (no spawns, no replies, no signals). The lines
     * wait in the master instead, across a reload too, and reach the watchdog once it reads again, so it still
     * signals every worker.
     */
    @Test
    void aKillWatchdogThatDoesNotReadDoesNotStallTheMasterNorMissAWorker() throws Exception {
        Path signals = Files.createDirectories(dir.resolve("signals"));
        try (EinhornUnderTest e = start(Map.of("SIGNAL_DIR", signals.toString()), "-k", "-n", "2")) {
            e.awaitAckedWorkers(2);
            long watchdog = ProcessHandle.of(e.pid()).orElseThrow().children().map(ProcessHandle::pid)
                    .filter(pid -> cmdline(pid).startsWith("einhorn-watchdog")).findFirst().orElseThrow();
            String pipe = Files.readSymbolicLink(Path.of("/proc/" + watchdog + "/fd/3")).toString();
            Path writeEnd;
            try (var fds = Files.list(Path.of("/proc/" + e.pid() + "/fd"))) {
                writeEnd = fds.filter(fd -> {
                    try {
                        return Files.readSymbolicLink(fd).toString().equals(pipe);
                    } catch (IOException ex) {
                        return false;
                    }
                }).findFirst().orElseThrow();
            }
            EinhornUnderTest.signal(watchdog, "STOP");
            try {
                // fill the pipe with lines the watchdog ignores ("- 0"); `yes` blocks once it is full
                Process fill = new ProcessBuilder("timeout", "3", "sh", "-c", "yes -- '- 0' > " + writeEnd)
                        .redirectErrorStream(true).start();
                assertTrue(fill.waitFor(30, TimeUnit.SECONDS));
                assertEquals(124, fill.exitValue(), "timeout ends the writer blocked on the full pipe: "
                        + new String(fill.getInputStream().readAllBytes()));
                List<String> inc = e.command("{\"command\":\"inc\"}");
                assertTrue(inc.toString().contains("Incrementing number of workers from 2 -> 3"), inc.toString());
                e.awaitAckedWorkers(3);
                e.reload(); // the "+ PID" of the third worker still waits: the next image must know it
            } finally {
                EinhornUnderTest.signal(watchdog, "CONT");
            }
            List<String> inc = e.command("{\"command\":\"inc\"}");
            assertTrue(inc.toString().contains("Incrementing number of workers from 3 -> 4"), inc.toString());
            List<Long> workers = e.awaitAckedWorkers(4);
            EinhornUnderTest.signal(e.pid(), "KILL");
            e.awaitTrue("all four workers got USR2", () -> workers.stream().allMatch(pid -> {
                try {
                    return Files.readString(signals.resolve(Long.toString(pid))).contains("SIGUSR2");
                } catch (Exception ex) {
                    return false;
                }
            }));
        }
    }

    private static String cmdline(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/cmdline"));
        } catch (IOException ex) {
            return "";
        }
    }

    @Test
    void gracefulSignalChoosesHowOldWorkersAreRetired() throws Exception {
        Path signals = Files.createDirectories(dir.resolve("signals"));
        try (EinhornUnderTest e = start(Map.of("SIGNAL_DIR", signals.toString()), "--graceful-signal", "SIGTERM")) {
            long old = e.awaitAckedWorkers(1).get(0);
            upgrade(e);
            e.awaitTrue("the old worker got TERM", () -> {
                try {
                    return Files.readString(signals.resolve(Long.toString(old))).equals("SIGTERM\n");
                } catch (Exception ex) {
                    return false;
                }
            });
            assertTrue(e.logText().contains("Sending TERM to [" + old + "]"), e.logText());
        }
    }

    @Test
    void aFailedUpgradeCheckAbortsTheReloadAndTellsTheClient() throws Exception {
        Path broken = dir.resolve("broken_einhorn.sh");
        Files.writeString(broken, "#!/bin/sh\necho 'cannot start' >&2\nexit 3\n");
        broken.toFile().setExecutable(true);
        try (EinhornUnderTest e = start(Map.of(), "--reexec-as=" + broken)) {
            List<Long> workers = e.awaitAckedWorkers(1);
            EinhornUnderTest.Result r = e.einhornsh("upgrade");
            assertEquals(2, r.exitCode(), r.stdout());
            assertTrue(r.stdout().endsWith("Upgrade failed: the new master failed its upgrade check (exit status 3)\n"),
                    r.stdout());
            assertTrue(e.logText().contains("Can not initiate einhorn master reload safely, aborting"));
            assertEquals(workers, e.workerPids(), "the workers are untouched");
            assertEquals("0", answer(e));

            // a plain reload has no stream to say why: the log does
            assertEquals(List.of("Reloading, as commanded"), e.command("{\"command\":\"reload\",\"id\":2}"));
            e.awaitLog("Reload failed: the new master failed its upgrade check (exit status 3)");
            assertEquals(workers, e.workerPids(), "the workers are untouched");
        }
    }

    @Test
    void signalsThatArriveDuringTheReexecAreHandledByTheNewImage() throws Exception {
        Path wrapper = dir.resolve("slow_reexec.sh");
        // bash keeps the blocked signal mask across its exec; dash (/bin/sh on Debian) clears it (docs/SIGNALS.md)
        Files.writeString(wrapper, "#!/bin/bash\nif [ \"$1\" = --with-state-fd ]; then sleep 2; fi\nexec "
                + einhorn() + " \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        try (EinhornUnderTest e = start(Map.of(), "--reexec-as=" + wrapper, "-n", "1")) {
            List<Long> workers = e.awaitAckedWorkers(1);
            e.command("{\"command\":\"reload\",\"id\":1}");
            e.awaitLog("About to re-exec einhorn master");
            EinhornUnderTest.signal(e.pid(), "TTIN"); // one more worker, asked while the master is between images
            EinhornUnderTest.signal(e.pid(), "TERM"); // and then a graceful stop: neither may kill the master or be lost
            assertEquals(0, e.awaitExit(), e.logText());
            String log = e.logText();
            assertTrue(log.contains("Using loaded state"), log);
            assertTrue(log.contains("Incrementing number of workers from 1 -> 2"), log);
            assertTrue(log.contains("Sending TERM to [" + workers.get(0)), log);
            assertFalse(EinhornUnderTest.alive(workers.get(0)));
        }
    }

    @Test
    void aWorkerProgramThatVanishedFailsTheUpgradeAndOrphansNothing() throws Exception {
        Path program = dir.resolve("server.py");
        Files.writeString(program, "#!/usr/bin/env python3\n" + Files.readString(EinhornUnderTest.WORKERS.resolve("version_server.py")));
        program.toFile().setExecutable(true);
        Files.writeString(dir.resolve("version"), "0");
        try (EinhornUnderTest e = EinhornUnderTest.start(dir, Map.of("VERSION_FILE", dir.resolve("version").toString()), "-m", "manual",
                "-b", "127.0.0.1:0", "-n", "2", program.toString())) {
            List<Long> workers = e.awaitAckedWorkers(2);
            Files.move(program, dir.resolve("server.py.moved"));
            EinhornUnderTest.Result r = e.einhornsh("upgrade");
            assertEquals(2, r.exitCode(), r.stdout());
            assertTrue(r.stdout().contains("Upgrade failed: the worker command cannot be run after the reload: Could not find "
                    + program), r.stdout());
            assertTrue(e.process.isAlive(), "the master survives");
            assertEquals(workers, e.workerPids(), "the workers are untouched");
            assertEquals("0", answer(e));
        }
    }
}
