package dev.einhorn.reexec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.einhorn.cli.CliResult;
import dev.einhorn.cli.EinhornCli;
import dev.einhorn.config.Config;
import dev.einhorn.posix.ExitStatus;
import dev.einhorn.posix.Posix;
import dev.einhorn.posix.PosixException;
import dev.einhorn.posix.Signals;
import dev.einhorn.posix.SpawnRequest;
import java.nio.channels.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A reload's decisions, with a Posix that only records: the upgrade check first, and only once it exited 0 the
 * hand-over and the exec; anything else leaves the master as it was and tells the upgrade's clients why.
 */
@Timeout(10)
class ReloadTest {
    static final int CHECK_PID = 777;
    static final int STATE_FD = 55;

    /** Records the calls a reload makes; starts children as pid 777; the state goes to fd 55. */
    static final class RecordingPosix implements Posix {
        final List<String> calls = new ArrayList<>();
        SpawnRequest spawned;
        List<String> execArgv;
        Map<String, String> execEnv;
        byte[] state;
        PosixException execFails;

        @Override
        public int getpid() {
            return 4303;
        }

        @Override
        public int spawn(SpawnRequest request) {
            calls.add("spawn " + String.join(" ", request.argv()));
            spawned = request;
            return CHECK_PID;
        }

        @Override
        public Optional<ExitStatus> reapAny() {
            return Optional.empty();
        }

        @Override
        public Optional<ExitStatus> reap(int pid) {
            return Optional.empty();
        }

        @Override
        public boolean kill(int pid, int signal) {
            calls.add("kill " + pid + " " + Signals.name(signal));
            return true;
        }

        @Override
        public int fdOf(Channel channel) {
            return -1;
        }

        @Override
        public void setNonBlocking(int fd, boolean nonBlocking) {}

        @Override
        public void setCloseOnExec(int fd, boolean closeOnExec) {
            if (!closeOnExec) calls.add("keep fd " + fd);
        }

        @Override
        public void resetSignalToDefault(int signal) {}

        @Override
        public void unblockSignal(int signal) {}

        @Override
        public void ignoreSignal(int signal) {
            calls.add("ignore " + Signals.name(signal));
        }

        @Override
        public void blockSignal(int signal) {
            calls.add("block " + Signals.name(signal));
        }

        @Override
        public void execve(String path, List<String> argv, Map<String, String> env) throws PosixException {
            calls.add("execve " + path);
            execArgv = argv;
            execEnv = env;
            if (execFails != null) throw execFails;
        }

        @Override
        public int memfdWith(byte[] content) {
            calls.add("memfd");
            state = content;
            return STATE_FD;
        }

        @Override
        public byte[] readToEndAndClose(int fd) {
            return new byte[0];
        }

        @Override
        public void close(int fd) {
            calls.add("close " + fd);
        }

        @Override
        public void setNice(int pid, int nice) {}

        @Override
        public int[] pipe() {
            return new int[] {-1, -1};
        }

        @Override
        public boolean writeFully(int fd, byte[] data) {
            return true;
        }

        @Override
        public int writeAvailable(int fd, byte[] data, int offset, int length) {
            return length;
        }
    }

    /** Records what the reload asks of the master, in the same list as the Posix calls. */
    static final class RecordingHost implements ReloadHost {
        final List<String> calls;
        final Config config;
        boolean respawning = true;
        double now = 100;
        List<String> signalsWaiting = List.of();
        final List<String> failures = new ArrayList<>();
        Boolean handedOverForUpgrade;
        /** The command socket's fd in the hand-over: one this JVM has open, so that the reload sees it. */
        int commandServerFd = openFdAbove2();

        RecordingHost(List<String> calls, Config config) {
            this.calls = calls;
            this.config = config;
        }

        @Override
        public boolean respawning() {
            return respawning;
        }

        @Override
        public double now() {
            return now;
        }

        @Override
        public void flushClients() {
            calls.add("flush clients");
        }

        @Override
        public void abandonPreparation() {
            calls.add("abandon preparation");
        }

        /** Thrown by {@link #handover} when set. */
        Error handoverFails;

        @Override
        public List<String> takeSignals() {
            calls.add("take signals");
            return signalsWaiting;
        }

        @Override
        public Handover handover(boolean forUpgrade, List<String> pendingSignals) {
            calls.add("handover");
            if (handoverFails != null) throw handoverFails;
            handedOverForUpgrade = forUpgrade;
            return new Handover(config, Map.of(), 1, commandServerFd, List.of(), List.of(), List.of(), forUpgrade, true, false,
                    false, null, Map.of(), pendingSignals, 1, List.of("/bin/true"), Map.of());
        }

        @Override
        public void reloading() {
            calls.add("RELOADING=1");
        }

        @Override
        public void reinstallSignalHandlers(List<String> drained) {
            calls.add("reinstall handlers " + drained);
        }

        @Override
        public void upgradeFailed(String reason) {
            failures.add(reason);
        }
    }

    private static int openFdAbove2() {
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            List<Integer> open = fds.map(p -> Integer.parseInt(p.getFileName().toString())).sorted().toList();
            return open.stream().filter(fd -> fd > 2).findFirst().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Config config(String... args) {
        return ((CliResult.Run) EinhornCli.parse(args, Map.of())).config();
    }

    private final Config config = config("--reexec-as", "/bin/sh -e", "--drop-env-var", "SECRET", "--", "/bin/true");
    private final RecordingPosix posix = new RecordingPosix();
    private final RecordingHost host = new RecordingHost(posix.calls, config);
    private final Map<String, String> env = Map.of("PATH", "/usr/bin:/bin", "SECRET", "s3", "KEEP", "k");
    private final Reload reload = new Reload(config, posix, env, host);

    @Test
    void theUpgradeCheckRunsFirstWithTheEnvironmentTheNextImageGets() {
        reload.request(true);
        assertEquals(List.of("spawn /bin/sh -e --upgrade-check"), posix.calls, "nothing else before the check exits");
        assertEquals("/bin/sh", posix.spawned.program());
        assertEquals(Map.of("PATH", "/usr/bin:/bin", "KEEP", "k"), posix.spawned.env(), "--drop-env-var is dropped");
        assertEquals(100 + Reload.CHECK_TIMEOUT_SECONDS, reload.nextWakeup());
    }

    @Test
    void aPassedCheckHandsOverThenExecsWithTheStateFd() {
        host.signalsWaiting = List.of("TTIN");
        reload.request(true);
        assertTrue(reload.onExit(new ExitStatus(CHECK_PID, 0, 0)));

        List<String> order = posix.calls.stream().filter(c -> !c.startsWith("keep fd ")).toList();
        assertEquals(List.of("spawn /bin/sh -e --upgrade-check", "flush clients", "abandon preparation",
                "block INT", "block TERM", "block USR2", "block HUP", "block ALRM", "block CHLD", "block TTIN",
                "block TTOU", "ignore HUP", "ignore INT", "ignore TERM", "take signals", "handover", "memfd",
                "RELOADING=1", "execve /bin/sh"), order);
        assertEquals(List.of("/bin/sh", "-e", "--with-state-fd", "55", "--", "/bin/true"), posix.execArgv);
        assertEquals(Map.of("PATH", "/usr/bin:/bin", "KEEP", "k"), posix.execEnv);
        assertTrue(host.handedOverForUpgrade);
        assertTrue(new String(posix.state, java.nio.charset.StandardCharsets.UTF_8).contains("- TTIN"),
                "the signal not yet handled goes to the next image");
        assertTrue(posix.calls.indexOf("memfd") < posix.calls.indexOf("execve /bin/sh"));
        assertEquals(List.of(), host.failures);
    }

    @Test
    void aFailedCheckTellsTheUpgradesClientsAndExecsNothing() {
        reload.request(true);
        assertTrue(reload.onExit(new ExitStatus(CHECK_PID, 1, 0)));
        assertEquals(List.of("the new master failed its upgrade check (exit status 1)"), host.failures);
        assertFalse(posix.calls.stream().anyMatch(c -> c.startsWith("execve") || c.equals("handover")));
    }

    @Test
    void aFailedCheckOfAPlainReloadTellsNoOne() {
        reload.request(false);
        reload.onExit(new ExitStatus(CHECK_PID, 0, 9));
        assertEquals(List.of(), host.failures);
        assertFalse(posix.calls.stream().anyMatch(c -> c.startsWith("execve")));
    }

    @Test
    void otherChildrenAreNotTheCheck() {
        reload.request(false);
        assertFalse(reload.onExit(new ExitStatus(CHECK_PID + 1, 0, 0)));
        assertFalse(posix.calls.contains("handover"));
    }

    @Test
    void anUpgradeRequestedDuringAReloadsCheckRidesOnIt() {
        reload.request(false);
        reload.request(true);
        assertEquals(1, posix.calls.stream().filter(c -> c.startsWith("spawn")).count(), "one check");
        reload.onExit(new ExitStatus(CHECK_PID, 0, 0));
        assertTrue(host.handedOverForUpgrade, "the hand-over says the next image upgrades");
    }

    @Test
    void noReloadOnceStopping() {
        host.respawning = false;
        reload.request(true);
        assertEquals(List.of(), posix.calls);
        assertEquals(List.of("einhorn is shutting down"), host.failures);
    }

    @Test
    void aCheckThatHangsIsKilledAtItsDeadline() {
        reload.request(true);
        reload.tick(100 + Reload.CHECK_TIMEOUT_SECONDS - 1);
        assertFalse(posix.calls.contains("kill " + CHECK_PID + " KILL"));
        reload.tick(100 + Reload.CHECK_TIMEOUT_SECONDS);
        assertTrue(posix.calls.contains("kill " + CHECK_PID + " KILL"));
        assertEquals(Double.POSITIVE_INFINITY, reload.nextWakeup());
    }

    @Test
    void aFailedExecPutsTheMasterBackAndFailsTheUpgrade() {
        host.signalsWaiting = List.of("HUP");
        posix.execFails = new PosixException("execve", 7, "Argument list too long");
        reload.request(true);
        reload.onExit(new ExitStatus(CHECK_PID, 0, 0));
        List<String> after = posix.calls.subList(posix.calls.indexOf("execve /bin/sh") + 1, posix.calls.size());
        assertEquals(List.of("reinstall handlers [HUP]", "close 55"), after);
        assertEquals(List.of("could not re-exec the master: execve: Argument list too long"), host.failures);
    }

    @Test
    void aHandOverThatDoesNotFitTheHeapFailsTheReloadNotTheMaster() {
        host.signalsWaiting = List.of("TTIN");
        host.handoverFails = new OutOfMemoryError("Java heap space");
        reload.request(true);
        reload.onExit(new ExitStatus(CHECK_PID, 0, 0));
        assertFalse(posix.calls.stream().anyMatch(c -> c.startsWith("execve")));
        assertEquals("reinstall handlers [TTIN]", posix.calls.get(posix.calls.size() - 1));
        assertEquals(List.of("could not re-exec the master: Java heap space"), host.failures);
    }

    @Test
    void theFdsTheHandOverNamesStayOpenAcrossTheExec() {
        reload.request(false);
        reload.onExit(new ExitStatus(CHECK_PID, 0, 0));
        // the hand-over names the command socket's fd, and the state fd is kept; every other fd is close-on-exec
        String socket = "keep fd " + host.commandServerFd;
        List<String> kept = posix.calls.stream().filter(c -> c.startsWith("keep fd ")).toList();
        assertTrue(kept.contains(socket), kept.toString());
        assertTrue(kept.stream().allMatch(c -> c.equals(socket) || c.equals("keep fd 55")), kept.toString());
    }
}
