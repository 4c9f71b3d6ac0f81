package dev.einhorn.spring;

import dev.einhorn.runtime.Einhorn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;

/** Einhorn's sockets as the embedded servers can take them: TCP only. */
public final class EinhornSockets {
    private EinhornSockets() {
    }

    /**
     * Socket {@code n} ({@link Einhorn#serverSocket(int)}), checked to be a TCP socket.
     *
     * @throws IllegalStateException for a UNIX-domain socket ({@code einhorn -b /path.sock}), which neither Tomcat's
     *     NIO endpoint nor Jetty's ServerConnector serves unless it bound it itself
     */
    public static ServerSocketChannel tcp(int n) {
        ServerSocketChannel channel = Einhorn.serverSocket(n);
        SocketAddress local = localAddress(channel, n);
        if (!(local instanceof InetSocketAddress)) {
            throw new IllegalStateException("einhorn socket " + n + " is " + local + ", not a TCP socket: the"
                    + " embedded Tomcat and Jetty serve einhorn's TCP sockets only");
        }
        return channel;
    }

    /** The TCP port of socket {@code n}. */
    public static int port(int n) {
        return ((InetSocketAddress) localAddress(tcp(n), n)).getPort();
    }

    private static SocketAddress localAddress(ServerSocketChannel channel, int n) {
        try {
            return channel.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException("einhorn: cannot read the address of einhorn socket " + n, e);
        }
    }
}
