package dev.einhorn.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketsTest {
    @TempDir
    Path dir;

    @Test
    void inspectTellsListeningStreamSocketsFromOthers() throws Exception {
        try (ServerSocketChannel inet = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                     .bind(UnixDomainSocketAddress.of(dir.resolve("s.sock")));
             DatagramChannel dgram = DatagramChannel.open(StandardProtocolFamily.INET);
             SocketChannel unbound = SocketChannel.open(StandardProtocolFamily.INET)) {
            Sockets.SocketInfo i = Sockets.get().inspect(ChannelFds.fdOf(inet));
            assertEquals(Sockets.SOCK_STREAM, i.type());
            assertTrue(i.listening());
            assertTrue(i.familyName().equals("AF_INET") || i.familyName().equals("AF_INET6"), i.familyName());
            Sockets.SocketInfo u = Sockets.get().inspect(ChannelFds.fdOf(unix));
            assertEquals("AF_UNIX", u.familyName());
            assertTrue(u.listening());
            Sockets.SocketInfo d = Sockets.get().inspect(ChannelFds.fdOf(dgram));
            assertEquals("SOCK_DGRAM", d.typeName());
            assertFalse(d.listening());
            assertFalse(Sockets.get().inspect(ChannelFds.fdOf(unbound)).listening());
        }
        PosixException closed = assertThrows(PosixException.class, () -> Sockets.get().inspect(999));
        assertTrue(closed.getMessage().contains("EBADF"), closed.getMessage());
        PosixException notSock = assertThrows(PosixException.class, () -> Sockets.get().inspect(1 + 0 * 1));
        assertTrue(notSock.getMessage().contains("ENOTSOCK") || notSock.getMessage().contains("getsockopt"),
                notSock.getMessage());
    }

    @Test
    void addressesForPathsAndAbstractNames() {
        assertArrayEquals(new byte[] {'/', 'a', 0}, Sockets.sunPath("/a"));
        assertArrayEquals(new byte[] {0, 'n', 'm'}, Sockets.sunPath("@nm"));
        assertEquals(5, Sockets.addrLength("/a"));
        assertEquals(5, Sockets.addrLength("@nm"));
        assertThrows(IllegalArgumentException.class, () -> Sockets.sunPath("relative"));
        assertThrows(IllegalArgumentException.class, () -> Sockets.sunPath("/" + "x".repeat(110)));
    }

    @Test
    void datagramsReachPathAndAbstractListeners() throws Exception {
        for (String address : new String[] {dir.resolve("n.sock").toString(),
                "@einhorn-sockets-test-" + ProcessHandle.current().pid()}) {
            Path out = dir.resolve("out-" + Math.abs(address.hashCode()));
            Process listener = new ProcessBuilder("python3",
                    Path.of(System.getProperty("user.dir"), "src/test/resources/workers/notify_listener.py").toString(),
                    address, out.toString(), "20").start();
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(listener.getInputStream(),
                        StandardCharsets.UTF_8));
                assertEquals("ready", r.readLine());
                Sockets.get().sendDatagram(address, "READY=1\nSTATUS=x".getBytes(StandardCharsets.UTF_8));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!java.nio.file.Files.exists(out) || java.nio.file.Files.readString(out).isEmpty()) {
                    assertTrue(System.nanoTime() < deadline, "no datagram at " + address);
                    Thread.sleep(20);
                }
                assertEquals("\"READY=1\\nSTATUS=x\"\n", java.nio.file.Files.readString(out));
            } finally {
                listener.destroyForcibly();
            }
        }
        PosixException nobody = assertThrows(PosixException.class,
                () -> Sockets.get().sendDatagram(dir.resolve("none.sock").toString(), new byte[] {1}));
        assertTrue(nobody.getMessage().contains("ENOENT"), nobody.getMessage());
    }
}
