package dev.einhorn.runtime.testing;

import dev.einhorn.runtime.Einhorn;
import dev.einhorn.runtime.EinhornException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * A worker the runtime tests spawn under {@code fake_master.py}. Modes (argv[0]):
 * <ul>
 *   <li>{@code serve}: adopt socket 0, report it, trap the graceful signal, ack, answer each connection
 *       with "hello PID\n"; on the graceful signal stop and exit 0.</li>
 *   <li>{@code ack}: ack and exit.</li>
 *   <li>{@code ping ID}: ping with ID and exit.</li>
 *   <li>{@code info}: print isWorker, socketCount, childIndex, masterPid and exit.</li>
 * </ul>
 * Every {@link EinhornException} is printed as {@code ERROR <message>} and ends the process with 3.
 */
public final class ProbeWorker {
    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (EinhornException e) {
            System.out.println("ERROR " + e.getMessage().replace('\n', ' '));
            System.out.flush();
            System.exit(3);
        }
    }

    private static void run(String[] args) throws Exception {
        switch (args[0]) {
            case "serve":
                serve();
                break;
            case "ack":
                Einhorn.ack();
                System.out.println("ACKED");
                break;
            case "ping":
                Einhorn.ping(args[1]);
                System.out.println("PINGED");
                break;
            case "info":
                System.out.println("INFO isWorker=" + Einhorn.isWorker() + " socketCount=" + Einhorn.socketCount()
                        + " childIndex=" + Einhorn.childIndex().orElse(-1)
                        + " masterPid=" + Einhorn.masterPid().orElse(-1)
                        + " gracefulSignal=" + Einhorn.gracefulSignal()
                        + " ackIfWorker=" + Einhorn.ackIfWorker());
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
    }

    private static void serve() throws Exception {
        long t0 = System.nanoTime();
        ServerSocketChannel server = Einhorn.serverSocket(0);
        long micros = (System.nanoTime() - t0) / 1000;
        System.out.println("SOCKET local=" + server.getLocalAddress() + " same=" + (server == Einhorn.serverSocket(0))
                + " open=" + server.isOpen() + " blocking=" + server.isBlocking() + " micros=" + micros);
        CountDownLatch stop = new CountDownLatch(1);
        Einhorn.onGracefulShutdown(stop::countDown);
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    try (SocketChannel c = server.accept()) {
                        String msg = "hello " + ProcessHandle.current().pid() + "\n";
                        c.write(ByteBuffer.wrap(msg.getBytes(StandardCharsets.UTF_8)));
                    }
                }
            } catch (ClosedChannelException e) {
                // stopping
            } catch (IOException e) {
                e.printStackTrace();
            }
        }, "acceptor");
        acceptor.start();
        Einhorn.ack();
        System.out.println("ACKED");
        stop.await();
        System.out.println("GRACEFUL " + Einhorn.gracefulSignal());
        server.close();
        acceptor.join(5000);
        System.out.println("BYE");
    }
}
