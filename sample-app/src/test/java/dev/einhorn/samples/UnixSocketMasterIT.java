package dev.einhorn.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real bin/einhorn with a UNIX-domain {@code -b} socket served by the shipped TimeServer, which adopts it
 * through the runtime's {@code Einhorn.serverSocket(0)} (EINHORN_FD_FAMILY_0=AF_UNIX).
 */
@Timeout(120)
class UnixSocketMasterIT {
    private static final Path REPO = Path.of(System.getProperty("einhorn.repo", "..")).toAbsolutePath().normalize();
    private static final String JAR = System.getProperty("einhorn.sample.jar");

    @TempDir
    Path dir;

    private static String ask(Path socket) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (ch.read(b) >= 0) {
                out.write(b.array(), 0, b.position());
                b.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void timeServerServesAUnixSocketBoundByTheMaster() throws Exception {
        Path sock = dir.resolve("time.sock");
        Path log = dir.resolve("einhorn.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(REPO.resolve("bin/einhorn").toString(),
                "-d", dir.resolve("c.sock").toString(), "-e", dir.resolve("e.pid").toString(),
                "-f", dir.resolve("e.lock").toString(), "-m", "manual", "-b", sock + ",mode=0600", "--",
                java, "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", JAR, "dev.einhorn.samples.TimeServer")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains("Up to 1 / 1 manual ACKs")) {
                assertTrue(p.isAlive() && System.nanoTime() < deadline, Files.readString(log));
                Thread.sleep(100);
            }
            for (int i = 0; i < 3; i++) {
                String line = ask(sock);
                assertTrue(line.matches("\\[\\d+\\] The current time is: .*!\n"), line);
            }
            p.destroy(); // TERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), Files.readString(log));
            assertEquals(0, p.exitValue(), Files.readString(log));
            assertFalse(Files.exists(sock, LinkOption.NOFOLLOW_LINKS));
            List<String> lines = Files.readAllLines(log);
            assertTrue(lines.stream().anyMatch(l -> l.contains("Binding to " + sock + " with flags [\"mode=0600\"]")),
                    String.join("\n", lines));
        } finally {
            p.destroyForcibly();
            ProcessHandle.of(p.pid()).ifPresent(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
        }
    }
}
