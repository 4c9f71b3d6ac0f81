package dev.einhorn.protocol;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * A blocking connection to a master's command socket, as Ruby's {@code Einhorn::Client}: send framed
 * requests, read framed replies one line at a time.
 */
public final class Client implements AutoCloseable {
    private final SocketChannel channel;
    private final InputStream in;

    private Client(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedInputStream(Channels.newInputStream(channel));
    }

    /** Connects to the UNIX-domain socket at {@code path}. */
    public static Client connect(Path path) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(path));
            return new Client(channel);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    public void send(Map<String, Object> request) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Replies.encodeRequest(request).getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) channel.write(bytes);
    }

    /**
     * Reads and parses the next reply (usually a mapping with {@code message}, maybe {@code request_id}
     * and {@code wait}; any YAML value is returned as loaded).
     *
     * @throws EOFException if the master closed the connection first
     */
    public Object receive() throws IOException, ParseException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) throw new EOFException("the master closed the connection");
            if (line.size() >= Framing.MAX_LINE_BYTES) throw new IOException("reply line too long");
            line.write(b);
        }
        return Yaml.parse(Framing.decode(line.toString(StandardCharsets.UTF_8)));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
