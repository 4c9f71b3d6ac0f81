package dev.einhorn.runtime;

import dev.einhorn.runtime.testing.FakeMaster;
import dev.einhorn.runtime.testing.ProbeWorker;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real worker JVMs (JDK 17 and 25) under python's fake master: inherited sockets, ack/ping on the
 * command socket, graceful signals. Loopback and /tmp only.
 */
@Timeout(60)
class WorkerProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String CP = System.getProperty("einhorn.test.classpath");
    private static final String MAIN = ProbeWorker.class.getName();

    static Stream<String> jdks() {
        return FakeMaster.jdks();
    }

    static Stream<Arguments> jdksAndFamilies() {
        List<Arguments> out = new ArrayList<>();
        FakeMaster.jdks().forEach(j -> {
            for (String fam : List.of("inet", "inet6", "unix")) {
                out.add(Arguments.of(j, fam, false));
            }
            out.add(Arguments.of(j, "unix", true));
        });
        return out.stream();
    }

    private static List<String> worker(String java, boolean opens, String... args) {
        return FakeMaster.javaCommand(java, opens ? List.of(FakeMaster.OPENS) : List.of(), CP, MAIN, args);
    }

    /** Connects to the fake master's listening socket and returns what the worker wrote. */
    private static String fetch(String family, String where) throws IOException {
        if (family.equals("unix")) {
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(where));
                ByteBuffer buf = ByteBuffer.allocate(256);
                while (ch.read(buf) >= 0) {
                    if (!buf.hasRemaining()) {
                        break;
                    }
                }
                return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            }
        }
        String host = family.equals("inet6") ? "::1" : "127.0.0.1";
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, Integer.parseInt(where.trim())), 5000);
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void assertAck(FakeMaster m) throws InterruptedException {
        Map<String, Object> ack = m.awaitCommand(WAIT);
        assertEquals("worker:ack", ack.get("command"), m.output());
        assertEquals(m.workerPid(), ack.get("pid"), m.output());
        assertEquals(2, ack.size(), "exactly command and pid: " + ack);
    }

    @ParameterizedTest(name = "{0} {1} familyEnv={2}")
    @MethodSource("jdksAndFamilies")
    void servesOnTheInheritedSocketAcksAndExitsZeroOnUsr2(String java, String family, boolean familyEnv)
            throws Exception {
        List<String> opts = new ArrayList<>(List.of("--family", family, "--env", "_JAVA_SR_SIGNUM=40"));
        if (familyEnv) {
            opts.add("--family-env");
        }
        try (FakeMaster m = FakeMaster.start(opts, worker(java, true, "serve"))) {
            String where = m.awaitEvent("listening", WAIT);
            String socketLine = m.awaitLine("SOCKET ", WAIT);
            assertTrue(socketLine.contains("same=true"), socketLine);
            assertTrue(socketLine.contains(family.equals("inet6") ? "0:0:0:0:0:0:0:1" : where.trim()), socketLine);
            assertAck(m);
            assertEquals("hello " + m.workerPid() + "\n", fetch(family, where));
            assertEquals("hello " + m.workerPid() + "\n", fetch(family, where));
            m.signalWorker("USR2");
            m.awaitLine("GRACEFUL USR2", WAIT);
            m.awaitLine("BYE", WAIT);   // stdout survives closing the socket
            assertEquals(0, m.awaitWorkerExit(WAIT), m.output());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void gracefulSignalComesFromTheEnvironment(String java) throws Exception {
        try (FakeMaster m = FakeMaster.start(List.of("--env", "EINHORN_GRACEFUL_SIGNAL=TERM"),
                worker(java, true, "serve"))) {
            String where = m.awaitEvent("listening", WAIT);
            assertAck(m);
            m.awaitLine("ACKED", WAIT);
            assertEquals("hello " + m.workerPid() + "\n", fetch("inet", where));
            m.signalWorker("TERM");
            m.awaitLine("GRACEFUL TERM", WAIT);
            assertEquals(0, m.awaitWorkerExit(WAIT), m.output());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void withoutTheOpensFlagTheErrorNamesIt(String java) throws Exception {
        try (FakeMaster m = FakeMaster.start(List.of(), worker(java, false, "serve"))) {
            String error = m.awaitLine("ERROR ", WAIT);
            assertTrue(error.contains("--add-opens java.base/sun.nio.ch=ALL-UNNAMED"), error);
            assertEquals(3, m.awaitWorkerExit(WAIT), m.output());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aSocketAtFdZeroNeedsNoFlags(String java) throws Exception {
        try (FakeMaster m = FakeMaster.start(List.of("--at-stdin", "--env", "_JAVA_SR_SIGNUM=40"),
                worker(java, false, "serve"))) {
            String where = m.awaitEvent("listening", WAIT);
            String socketLine = m.awaitLine("SOCKET ", WAIT);
            assertTrue(socketLine.contains("/127.0.0.1:" + where.trim()) && socketLine.contains("same=true"),
                    socketLine);
            assertAck(m);
            assertEquals("hello " + m.workerPid() + "\n", fetch("inet", where));
            m.signalWorker("USR2");
            m.awaitLine("GRACEFUL USR2", WAIT);
            // (no BYE here: closing the JDK's System.inheritedChannel() points stdout at /dev/null)
            assertEquals(0, m.awaitWorkerExit(WAIT), m.output());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void withTheFlagFdZeroIsAdoptedDirectlyAndStdoutSurvivesClosingIt(String java) throws Exception {
        try (FakeMaster m = FakeMaster.start(List.of("--at-stdin", "--family", "unix", "--env", "_JAVA_SR_SIGNUM=40"),
                worker(java, true, "serve"))) {
            String where = m.awaitEvent("listening", WAIT);
            assertTrue(m.awaitLine("SOCKET ", WAIT).contains("local=" + where.trim()), m.output());
            assertAck(m);
            assertEquals("hello " + m.workerPid() + "\n", fetch("unix", where));
            m.signalWorker("USR2");
            m.awaitLine("BYE", WAIT);
            assertEquals(0, m.awaitWorkerExit(WAIT), m.output());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void ackGoesOverTheInheritedCommandSocketFd(String java) throws Exception {
        try (FakeMaster m = FakeMaster.start(List.of("--no-socket", "--sock-fd", "--unset", "EINHORN_SOCK_PATH"),
                worker(java, true, "ack"))) {
            assertAck(m);
            m.awaitLine("ACKED", WAIT);
            assertEquals(0, m.awaitWorkerExit(WAIT), m.output());
        }
    }

    /**
     * An EINHORN_SOCK_FD that is open on something else than a socket (here stdout) took the ack, reported success
     * and closed the fd: the master never saw the ack and the worker had lost its stdout. The ack now goes to
     * EINHORN_SOCK_PATH, and stdout stays.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void anEinhornSockFdThatIsNoSocketIsNotWrittenToAndTheAckTakesThePath(String java) throws Exception {
        try (FakeMaster m = FakeMaster.start(List.of("--no-socket", "--env", "EINHORN_SOCK_FD=1"),
                worker(java, true, "ack"))) {
            assertAck(m);
            m.awaitLine("ACKED", WAIT);
            assertEquals(0, m.awaitWorkerExit(WAIT), m.output());
        }
    }

    /**
     * A JVM started by an activated standby inherits its EINHORN_STANDBY_* variables, but not as the master's child:
     * it parked (here on stdin, which never ends) instead of running its main. It is no standby now.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aJvmThatInheritedAStandbysVariablesButIsNotTheMastersChildDoesNotPark(String java) throws Exception {
        List<String> cmd = FakeMaster.javaCommand(java, List.of(FakeMaster.OPENS), CP, Bootstrap.class.getName(),
                MAIN, "main", "info");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("EINHORN_MASTER_PID", "1"); // the master of the worker that started it, not its parent
        pb.environment().put("EINHORN_STANDBY_FD", "0");
        pb.environment().put("EINHORN_STANDBY_READY_FD", "1");
        Process p = pb.start(); // its stdin stays open: a park there never ends
        try {
            boolean exited = p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
            String out = exited ? new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8) : "";
            assertTrue(exited, "it parked instead of running its main");
            assertTrue(out.contains("INFO isWorker=false"), out);
            assertFalse(out.contains("parked"), out);
        } finally {
            p.destroyForcibly();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void pingCarriesTheRequestIdThroughTheFraming(String java) throws Exception {
        String id = "50% \"done\"\nnext%0A";
        try (FakeMaster m = FakeMaster.start(List.of("--no-socket"), worker(java, false, "ping", id))) {
            Map<String, Object> ping = m.awaitCommand(WAIT);
            assertEquals("worker:ping", ping.get("command"));
            assertEquals(m.workerPid(), ping.get("pid"));
            assertEquals(id, ping.get("request_id"));
            m.awaitLine("PINGED", WAIT);
            assertEquals(0, m.awaitWorkerExit(WAIT), m.output());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void identityUnderTheMaster(String java) throws Exception {
        try (FakeMaster m = FakeMaster.start(List.of("--env", "EINHORN_CHILD_INDEX=7"), worker(java, false, "info"))) {
            String info = m.awaitLine("INFO ", WAIT);
            long masterPid = m.masterPid();
            assertEquals("INFO isWorker=true socketCount=1 childIndex=7 masterPid=" + masterPid
                    + " gracefulSignal=USR2 ackIfWorker=true", info);
            assertAck(m);
            assertEquals(0, m.awaitWorkerExit(WAIT), m.output());
        }
    }

    /** A negative EINHORN_FD_COUNT is named as such (it read "Only -3 FDs available, but FD 0 was requested"). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aNegativeFdCountIsNamed(String java) throws Exception {
        try (FakeMaster m = FakeMaster.start(List.of("--env", "EINHORN_FD_COUNT=-3"), worker(java, true, "serve"))) {
            String error = m.awaitLine("ERROR ", WAIT);
            assertEquals("ERROR EINHORN_FD_COUNT is \"-3\", not a count of sockets", error);
            assertEquals(3, m.awaitWorkerExit(WAIT), m.output());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aProcessWhoseParentIsNotTheMasterIsNotAWorker(String java) throws Exception {
        try (FakeMaster m = FakeMaster.start(List.of("--env", "EINHORN_MASTER_PID=1"), worker(java, false, "ack"))) {
            String error = m.awaitLine("ERROR ", WAIT);
            assertTrue(error.contains("EINHORN_MASTER_PID environment variable is \"1\", but my parent's pid is"),
                    error);
            assertEquals(3, m.awaitWorkerExit(WAIT), m.output());
        }
    }
}
