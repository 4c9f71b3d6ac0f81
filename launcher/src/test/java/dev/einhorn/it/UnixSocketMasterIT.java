package dev.einhorn.it;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real bin/einhorn with a UNIX-domain {@code -b} socket served by the shipped TimeServer
 * ({@code sample-app/target/sample-app.jar}, runtime shaded in), which adopts it through the runtime's
 * {@code Einhorn.serverSocket(0)} (EINHORN_FD_FAMILY_0=AF_UNIX). Lives here, not in sample-app, so that it runs
 * after the reactor has packaged the launcher bin/einhorn starts (launcher's test dependency on sample-app builds
 * the jar first).
 */
@Timeout(120)
class UnixSocketMasterIT {
    private static final Path JAR = EinhornUnderTest.REPO.resolve("sample-app/target/sample-app.jar");

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
        assertTrue(Files.isRegularFile(JAR), JAR + " (built by the reactor before the launcher)");
        Path sock = dir.resolve("time.sock");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(dir, "-m", "manual", "-b", sock + ",mode=0600", "--",
                java, "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", JAR.toString(),
                "dev.einhorn.samples.TimeServer")) {
            einhorn.awaitLog("Up to 1 / 1 manual ACKs");
            for (int i = 0; i < 3; i++) {
                String line = ask(sock);
                assertTrue(line.matches("\\[\\d+\\] The current time is: .*!\n"), line);
            }
            einhorn.signal("TERM");
            assertEquals(0, einhorn.awaitExit(), einhorn.logText());
            assertFalse(Files.exists(sock, LinkOption.NOFOLLOW_LINKS));
            assertTrue(einhorn.logText().contains("Binding to " + sock + " with flags [\"mode=0600\"]"),
                    einhorn.logText());
        }
    }
}
