package dev.einhorn.samples;

import dev.einhorn.runtime.testing.FakeMaster;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped jar ({@code target/sample-app.jar}, runtime shaded in) run as real workers on JDK 17
 * and 25 under python's fake master; loopback only.
 */
@Timeout(60)
class SamplesIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String JAR = System.getProperty("einhorn.sample.jar");

    static Stream<Arguments> jdksAndSignals() {
        List<Arguments> out = new ArrayList<>();
        FakeMaster.jdks().forEach(j -> {
            out.add(Arguments.of(j, "USR2"));
            out.add(Arguments.of(j, "TERM"));
        });
        return out.stream();
    }

    /** The master's environment for a graceful signal: USR2 needs HotSpot's own use of it moved. */
    private static List<String> signalEnv(String signal) {
        return signal.equals("USR2")
                ? List.of("--env", "_JAVA_SR_SIGNUM=40")
                : List.of("--env", "EINHORN_GRACEFUL_SIGNAL=" + signal);
    }

    private static void assertAck(FakeMaster m) throws InterruptedException {
        Map<String, Object> ack = m.awaitCommand(WAIT);
        assertEquals(Map.of("command", "worker:ack", "pid", m.workerPid()), ack, m.output());
    }

    private static String fetch(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("jdksAndSignals")
    void timeServerAnswersAcksAndLeavesGracefully(String java, String signal) throws Exception {
        assertTrue(Files.isRegularFile(Path.of(JAR)), JAR);
        List<String> worker = FakeMaster.javaCommand(java, List.of(FakeMaster.OPENS), JAR,
                "dev.einhorn.samples.TimeServer");
        try (FakeMaster m = FakeMaster.start(signalEnv(signal), worker)) {
            int port = Integer.parseInt(m.awaitEvent("listening", WAIT).trim());
            assertAck(m);
            String prefix = "[" + m.workerPid() + "] The current time is: ";
            for (int i = 0; i < 3; i++) {
                String line = fetch(port);
                assertTrue(line.startsWith(prefix) && line.endsWith("!\n"), line);
            }
            m.signalWorker(signal);
            m.awaitLine("Goodbye from " + m.workerPid(), WAIT);
            assertEquals(0, m.awaitWorkerExit(WAIT), m.output());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("jdksAndSignals")
    void poolWorkerAcksWorksAndLeavesGracefully(String java, String signal) throws Exception {
        List<String> worker = FakeMaster.javaCommand(java, List.of(), JAR, "dev.einhorn.samples.PoolWorker", "200");
        List<String> opts = new ArrayList<>(List.of("--no-socket", "--env", "EINHORN_CHILD_INDEX=3"));
        opts.addAll(signalEnv(signal));
        try (FakeMaster m = FakeMaster.start(opts, worker)) {
            assertAck(m);
            m.awaitLine("[" + m.workerPid() + "] I'm in the pool! My index is 3", WAIT);
            m.signalWorker(signal);
            m.awaitLine("[" + m.workerPid() + "] " + m.workerPid() + " is now exiting...", WAIT);
            assertEquals(0, m.awaitWorkerExit(WAIT), m.output());
        }
    }
}
