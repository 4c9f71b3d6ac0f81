package dev.einhorn.bench.skeleton;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JDK I/O every skeleton does, as the master does it: one {@link Selector}, a TCP listener on loopback (the
 * workers' socket) and a UNIX-domain listener registered with it (the command socket). Loops in
 * {@code select} like an idle master. Argument 1 is a directory for the UNIX socket; argument 2 {@code train} makes
 * the skeleton stop once it is up (so that {@code -XX:ArchiveClassesAtExit} writes its archive), {@code run} keeps
 * it idle until it is killed.
 */
final class SkeletonIo {
    /** What each skeleton spawns: four children, as the master's four workers. */
    static final int CHILDREN = 4;
    /** How long a child lives at most, should nothing kill it. */
    static final List<String> CHILD_ARGV = List.of("sleep", "300");

    private SkeletonIo() {
    }

    /** The listeners, their selector, and the fd of the TCP listener (to hand to the children). */
    static Selector listen(Path dir) throws IOException {
        Selector selector = Selector.open();
        ServerSocketChannel tcp = ServerSocketChannel.open();
        tcp.bind(new InetSocketAddress("127.0.0.1", 0));
        Path socket = dir.resolve("skeleton-" + ProcessHandle.current().pid() + ".sock");
        Files.deleteIfExists(socket);
        ServerSocketChannel command = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        command.bind(UnixDomainSocketAddress.of(socket));
        command.configureBlocking(false);
        command.register(selector, SelectionKey.OP_ACCEPT);
        socket.toFile().deleteOnExit();
        return selector;
    }

    /** The environment as {@code KEY=VALUE} strings, as the master hands it to a worker. */
    static List<String> environment() {
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) env.add(e.getKey() + "=" + e.getValue());
        return env;
    }

    /**
     * Says it is up; then stops (train) or idles in select until killed (run). {@code killChildren} (null when there
     * are none) ends the children before a training stops; no lambda, which would load classes of its own.
     */
    static void upThenIdle(String mode, Selector selector, Runnable killChildren) throws IOException {
        System.out.println("up");
        System.out.flush();
        if ("train".equals(mode)) {
            if (killChildren != null) killChildren.run();
            System.exit(0);
        }
        while (true) selector.select(60_000);
    }
}
