package dev.einhorn.shell;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A scripted command socket: for each request line received (without its newline) the script returns the
 * raw lines to answer with; a {@link #HANG_UP} among them closes the connection there.
 */
final class ScriptedMasterSocket implements AutoCloseable {
    static final String HANG_UP = "<hang up>";

    final List<String> received = new CopyOnWriteArrayList<>();
    private final ServerSocketChannel server;
    private final Thread thread;

    ScriptedMasterSocket(Path socket, Function<String, List<String>> script) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = new Thread(() -> serve(script), "scripted-master");
        thread.setDaemon(true);
        thread.start();
    }

    private void serve(Function<String, List<String>> script) {
        try (SocketChannel conn = server.accept()) {
            InputStream in = Channels.newInputStream(conn);
            for (String line = readLine(in); line != null; line = readLine(in)) {
                received.add(line);
                for (String reply : script.apply(line)) {
                    if (reply.equals(HANG_UP)) return;
                    conn.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8)));
                }
            }
        } catch (IOException e) {
            // the client went away: the test's assertions say whether that was expected
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) return null;
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        server.close();
        thread.join(5_000);
    }
}
