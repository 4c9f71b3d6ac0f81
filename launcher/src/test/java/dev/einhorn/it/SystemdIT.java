package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real master under Debian's systemd-socket-activate (which execs bin/einhorn in its own process, so
 * LISTEN_PID is the master's pid), with a python stand-in for systemd's notification socket.
 */
@Timeout(120)
class SystemdIT {
    static final Path ACTIVATE = Path.of("/usr/bin/systemd-socket-activate");

    @TempDir
    Path dir;
    private Process listener;

    @AfterEach
    void stopListener() {
        if (listener != null) listener.destroyForcibly();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts the notification listener on ADDRESS, appending datagrams to the returned file. */
    private Path notifyListener(String address) throws IOException {
        Path out = dir.resolve("notify.jsonl");
        listener = new ProcessBuilder("python3", EinhornUnderTest.WORKERS.resolve("notify_listener.py").toString(), address,
                out.toString(), "110").redirectErrorStream(true).start();
        String ready = new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertEquals("ready", ready);
        return out;
    }

    /** Each datagram received so far, decoded. */
    private static List<String> datagrams(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        for (String line : Files.readAllLines(file)) {
            // one JSON string per line: only \n and \" and \\ escapes occur in our messages
            String s = line.substring(1, line.length() - 1);
            out.add(s.replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        return out;
    }

    /** The first line of each datagram that is one of the lifecycle words (READY, RELOADING, STOPPING). */
    private static List<String> lifecycle(List<String> datagrams) {
        List<String> out = new ArrayList<>();
        for (String d : datagrams) {
            String first = d.lines().findFirst().orElse("");
            if (first.equals("READY=1") || first.equals("RELOADING=1") || first.equals("STOPPING=1")) out.add(first);
        }
        return out;
    }

    private static String ask(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(30000);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    @Test
    void servesOnTheActivatedSocketAndNotifiesReadyReloadingReadyStopping() throws Exception {
        assumeTrue(Files.isExecutable(ACTIVATE), "systemd-socket-activate is not installed (.ci/run installs it)");
        String address = "@einhorn-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Path notes = notifyListener(address);
        int port = freePort();
        List<String> prefix = List.of(ACTIVATE.toString(), "-l", "127.0.0.1:" + port, "--fdname=web",
                "-E", "NOTIFY_SOCKET", "-E", "WATCHDOG_USEC", "-E", "JAVA_HOME");
        Map<String, String> env = Map.of("NOTIFY_SOCKET", address, "WATCHDOG_USEC", "1000000");
        try (EinhornUnderTest einhorn = EinhornUnderTest.launch(dir, env, prefix, EinhornUnderTest.REPO.resolve("bin/einhorn"),
                "-n", "2", "-b", "name:web", "-m", "manual",
                "python3", EinhornUnderTest.WORKERS.resolve("env_server.py").toString())) {
            // systemd-socket-activate starts the service on the first connection; a worker answers it
            einhorn.awaitLog("Listening on");
            String first = ask(port);
            einhorn.awaitLog("Adopting systemd socket fd 3 (name web)");
            einhorn.awaitAckedWorkers(2);
            assertTrue(first.contains("LISTEN_FDS=None"), "workers do not see LISTEN_*: " + first);
            assertTrue(first.contains("NOTIFY_SOCKET=None"), first);
            assertTrue(first.contains("EINHORN_FD_COUNT=1"), first);
            einhorn.awaitTrue("READY", () -> lifecycleOf(notes).equals(List.of("READY=1")));
            String ready = datagrams(notes).stream().filter(d -> d.startsWith("READY=1")).findFirst().orElseThrow();
            assertTrue(ready.contains("MAINPID=" + einhorn.pid()), ready);
            assertTrue(ready.contains("STATUS=2/2 workers acked, version 0"), ready);

            List<String> stream = einhorn.command("{\"command\":\"upgrade\",\"id\":1}");
            assertEquals("Upgrade done", stream.get(stream.size() - 1), stream.toString());
            einhorn.awaitTrue("READY after the upgrade",
                    () -> lifecycleOf(notes).equals(List.of("READY=1", "RELOADING=1", "READY=1")));
            String reloading = datagrams(notes).stream().filter(d -> d.startsWith("RELOADING=1")).findFirst()
                    .orElseThrow();
            long usec = Long.parseLong(reloading.lines().filter(l -> l.startsWith("MONOTONIC_USEC="))
                    .findFirst().orElseThrow().substring("MONOTONIC_USEC=".length()));
            assertTrue(usec > 0 && usec <= System.nanoTime() / 1000, "CLOCK_MONOTONIC microseconds: " + usec);
            assertTrue(ask(port).contains("EINHORN_FD_COUNT=1"), "the upgraded workers serve the same socket");

            einhorn.signal("TERM");
            assertEquals(0, einhorn.awaitExit());
            einhorn.awaitTrue("STOPPING", () -> lifecycleOf(notes).equals(
                    List.of("READY=1", "RELOADING=1", "READY=1", "STOPPING=1")));
            assertTrue(datagrams(notes).contains("WATCHDOG=1"), "watchdog pings with WATCHDOG_USEC=1s");
            assertFalse(datagrams(notes).isEmpty());
        }
    }

    private static List<String> lifecycleOf(Path notes) {
        try {
            return lifecycle(datagrams(notes));
        } catch (IOException e) {
            return List.of();
        }
    }

    @Test
    void aDatagramSocketPassedBySystemdIsRefusedWithAClearError() throws Exception {
        assumeTrue(Files.isExecutable(ACTIVATE), "systemd-socket-activate is not installed (.ci/run installs it)");
        int port = freePort();
        List<String> prefix = List.of(ACTIVATE.toString(), "-d", "-l", "127.0.0.1:" + port, "-E", "JAVA_HOME");
        try (EinhornUnderTest einhorn = EinhornUnderTest.launch(dir, Map.of(), prefix, EinhornUnderTest.REPO.resolve("bin/einhorn"),
                "-n", "1", "python3", EinhornUnderTest.WORKERS.resolve("pid_server.py").toString())) {
            einhorn.awaitLog("Listening on");
            try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
                byte[] b = "x".getBytes(StandardCharsets.UTF_8);
                s.send(new java.net.DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
            }
            assertTrue(einhorn.process.waitFor(60, TimeUnit.SECONDS), "the master refuses to start");
            assertEquals(1, einhorn.process.exitValue());
            assertTrue(einhorn.logText().contains("einhorn: systemd socket fd 3 (name unknown) is not a listening "
                    + "stream socket (AF_INET, SOCK_DGRAM, not listening): einhorn needs ListenStream= sockets"),
                    einhorn.logText());
        }
    }

    /**
     * A notification socket whose reader is stuck (a hung or stopped systemd, a stale socket) has a full queue: a
     * blocking sendto there would park the master's loop thread for good (no spawns, no replies, no signals). The
     * datagram is dropped instead, with one warning, and the master carries on.
     */
    @Test
    void aNotifySocketThatNobodyReadsDoesNotStallTheMaster() throws Exception {
        Path address = dir.resolve("notify.sock");
        listener = new ProcessBuilder("python3", EinhornUnderTest.WORKERS.resolve("stalled_notify_socket.py").toString(),
                address.toString(), "110").redirectErrorStream(true).start();
        String full = new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertTrue(full != null && full.startsWith("full "), "the stand-in filled its queue: " + full);
        Map<String, String> env = Map.of("NOTIFY_SOCKET", address.toString(), "WATCHDOG_USEC", "200000");
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(dir, env, "-n", "2", "-m", "0.01", "--", "sleep", "1000")) {
            einhorn.awaitAckedWorkers(2); // READY=1 went nowhere
            List<String> inc = einhorn.command("{\"command\":\"inc\"}");
            assertTrue(inc.toString().contains("Incrementing number of workers from 2 -> 3"), inc.toString());
            einhorn.awaitAckedWorkers(3);
            assertTrue(einhorn.logText().contains("Could not notify systemd at NOTIFY_SOCKET=" + address + ": sendto("
                    + address + "): Resource temporarily unavailable (EAGAIN) (further failures are not logged)"),
                    einhorn.logText());
            einhorn.signal("TERM");
            assertEquals(0, einhorn.awaitExit());
        }
    }
}
