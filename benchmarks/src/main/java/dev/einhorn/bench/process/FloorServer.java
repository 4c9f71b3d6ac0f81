package dev.einhorn.bench.process;

import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JVM floor of the overhead part: a JDK-only process, run with the master's JVM flags, that listens on a
 * UNIX-domain socket and answers every request line with one fixed reply line (the master's own {@code ehlo}
 * reply, passed in). Its PSS, idle CPU and round trips are what any JVM doing the same I/O costs here; the
 * master's figures beside it are the part that is ours. One client at a time, blocking I/O, no other thread.
 *
 * <p>{@code java FLAGS -cp benchmarks.jar dev.einhorn.bench.process.FloorServer SOCKET REPLY_LINE}; the reply line's newline is optional
 */
public final class FloorServer {
    private FloorServer() {
    }

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        String line = args[1].endsWith("\n") ? args[1] : args[1] + "\n";
        byte[] reply = line.getBytes(StandardCharsets.UTF_8);
        Files.deleteIfExists(socket);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            System.out.println("listening"); // the benchmark waits for this line
            while (true) {
                try (SocketChannel client = server.accept()) {
                    serve(client, reply);
                }
            }
        }
    }

    private static void serve(SocketChannel client, byte[] reply) throws Exception {
        ByteBuffer in = ByteBuffer.allocate(8192);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (client.read(in.clear()) > 0) {
            for (int i = 0; i < in.position(); i++) {
                byte b = in.get(i);
                if (b != '\n') {
                    line.write(b);
                    continue;
                }
                line.reset();
                ByteBuffer out = ByteBuffer.wrap(reply);
                while (out.hasRemaining()) client.write(out);
            }
        }
    }
}
