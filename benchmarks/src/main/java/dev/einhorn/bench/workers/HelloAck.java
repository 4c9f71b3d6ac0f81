package dev.einhorn.bench.workers;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The JVM floor of the start-up benchmark: a worker that does nothing but ack the master over
 * EINHORN_SOCK_PATH (JDK only, no einhorn runtime) and then idles until a signal ends it.
 */
public final class HelloAck {
    private HelloAck() {
    }

    public static void main(String[] args) throws Exception {
        String path = System.getenv("EINHORN_SOCK_PATH");
        if (path == null) {
            System.out.println("hello, world (not under einhorn: no EINHORN_SOCK_PATH)");
            return;
        }
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(path));
            String ack = "{\"command\":\"worker:ack\",\"pid\":" + ProcessHandle.current().pid() + "}\n";
            ByteBuffer b = ByteBuffer.wrap(ack.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) c.write(b);
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
