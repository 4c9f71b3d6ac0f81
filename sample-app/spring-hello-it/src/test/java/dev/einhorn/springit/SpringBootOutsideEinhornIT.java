package dev.einhorn.springit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same fat jar away from einhorn: started on its own it serves on {@code server.port} as any Spring Boot app
 * does; and the training run of {@code einhorn -p} ({@code -Dspring.context.exit=onRefresh}, even with a
 * worker's environment) neither touches the sockets nor acks, and exits 0.
 */
class SpringBootOutsideEinhornIT {
    @TempDir
    Path dir;

    @Test
    void onItsOwnServesOnServerPort() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path log = dir.resolve("app.log");
        ProcessBuilder pb = new ProcessBuilder("java", "-jar", SpringBootUnderEinhornIT.TOMCAT_JAR.toAbsolutePath().toString(),
                "--server.port=" + port, "--server.address=127.0.0.1").redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("EINHORN_"));
        Process app = pb.start();
        try {
            Http.Response health = awaitAnswer(app, port, "/actuator/health", log);
            assertEquals(200, health.status(), health.text());
            assertTrue(health.text().contains("\"status\":\"UP\""), health.text());
            Http.Response hello = Http.get(port, "/hello/spring");
            assertTrue(hello.text().contains("\"message\":\"Hello, spring!\""), hello.text());
            assertEquals(app.pid(), hello.pid());
            assertEquals(java.util.Set.of(port), ListeningPorts.of(app.pid()));
            assertFalse(Files.readString(log).contains("einhorn:"), Files.readString(log));
        } finally {
            app.destroy();
            if (!app.waitFor(30, TimeUnit.SECONDS)) app.destroyForcibly().waitFor();
        }
    }

    @Test
    void trainingRunTakesNoSocketAndSendsNoAck() throws Exception {
        Path commandSocket = dir.resolve("master.sock");
        try (ServerSocketChannel master = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            master.bind(UnixDomainSocketAddress.of(commandSocket));
            master.configureBlocking(false);
            Path log = dir.resolve("training.log");
            ProcessBuilder pb = new ProcessBuilder("java", "-Dspring.context.exit=onRefresh", "-jar",
                    SpringBootUnderEinhornIT.TOMCAT_JAR.toAbsolutePath().toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            // A worker's environment, with this JVM as its master; fd 99 is no socket: taking it would fail the start.
            pb.environment().put("EINHORN_MASTER_PID", Long.toString(ProcessHandle.current().pid()));
            pb.environment().put("EINHORN_FD_COUNT", "1");
            pb.environment().put("EINHORN_FD_0", "99");
            pb.environment().put("EINHORN_SOCK_PATH", commandSocket.toString());
            Process training = pb.start();
            if (!training.waitFor(120, TimeUnit.SECONDS)) {
                training.destroyForcibly().waitFor();
                throw new AssertionError("the training run did not exit:\n" + Files.readString(log));
            }
            assertEquals(0, training.exitValue(), Files.readString(log));
            assertEquals(null, master.accept(), "the training run connected to the command socket (an ack)");
            assertFalse(Files.readString(log).contains("Tomcat started"), Files.readString(log));
        }
    }

    private static Http.Response awaitAnswer(Process app, int port, String path, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try {
                Http.Response r = Http.get(port, path);
                // Actuator answers 503 (DOWN) while the app is still starting: wait for it to come up.
                if (r.status() != 503 || System.nanoTime() > deadline) return r;
                Thread.sleep(100);
            } catch (IOException notYet) {
                if (!app.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("no answer on " + port + ":\n" + String.join("\n", Files.readAllLines(log)));
                }
                Thread.sleep(100);
            }
        }
    }
}
