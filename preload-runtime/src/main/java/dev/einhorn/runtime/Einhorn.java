package dev.einhorn.runtime;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a worker process started by einhorn calls: its inherited listening sockets, the ack that tells
 * the master it is ready, and the graceful-shutdown signal. Mirrors Ruby's {@code Einhorn::Worker}.
 * JDK only; no dependencies.
 *
 * <pre>{@code
 * ServerSocketChannel server = Einhorn.serverSocket(0);   // the socket bound by `einhorn -b ...`
 * Einhorn.onGracefulShutdown(() -> stop(server));         // SIGUSR2 unless EINHORN_GRACEFUL_SIGNAL says otherwise
 * Einhorn.ack();                                           // "ready": the master may now retire old workers
 * while (server.isOpen()) serve(server.accept());
 * // return from main: exit 0
 * }</pre>
 *
 * <p><b>JVM flags.</b> {@link #serverSocket(int)} adopts the inherited fd through {@code sun.nio.ch}
 * and so needs {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED} on the worker's command line
 * (without it you get an {@link EinhornException} naming the flag). The one exception is a socket at
 * fd 0, which {@link System#inheritedChannel()} adopts with no flag. A JVM that handles SIGUSR2
 * should run with the environment variable {@code _JAVA_SR_SIGNUM} set to another signal (e.g. 40):
 * HotSpot uses SIGUSR2 internally.
 *
 * <p><b>Environment read</b> (set by the master): {@code EINHORN_MASTER_PID}, {@code EINHORN_FD_COUNT},
 * {@code EINHORN_FD_<n>}, {@code EINHORN_FD_FAMILY_<n>} ({@code AF_INET}, {@code AF_INET6},
 * {@code AF_UNIX}; optional), {@code EINHORN_SOCK_PATH}, {@code EINHORN_SOCK_FD} (with {@code -g}),
 * {@code EINHORN_CHILD_INDEX}, {@code EINHORN_GRACEFUL_SIGNAL} (default {@code USR2}). In a worker activated from
 * a warm standby ({@code einhorn --standby}), the values the master gave at activation take precedence
 * ({@link Standby#activated()}): read {@link #childIndex()}, not {@code System.getenv("EINHORN_CHILD_INDEX")}.
 */
public final class Einhorn {
    /** The graceful-shutdown signal when {@code EINHORN_GRACEFUL_SIGNAL} is absent, as in Einhorn. */
    public static final String DEFAULT_GRACEFUL_SIGNAL = "USR2";

    private static final Map<Integer, ServerSocketChannel> SERVER_SOCKETS = new ConcurrentHashMap<>();
    private static final List<Runnable> GRACEFUL_HANDLERS = new CopyOnWriteArrayList<>();
    private static final Object SIGNAL_LOCK = new Object();
    private static final AtomicBoolean SOCK_FD_USED = new AtomicBoolean();
    private static volatile String installedSignal;

    private Einhorn() {
    }

    // ------------------------------------------------------------------ identity

    /**
     * True when this process was started by an einhorn master: {@code EINHORN_MASTER_PID} equals our
     * parent's pid. (A subprocess of a worker inherits the variable but is not a worker.)
     */
    public static boolean isWorker() {
        return notWorkerReason() == null;
    }

    /** Throws an {@link EinhornException} explaining why, unless {@link #isWorker()}. */
    public static void ensureWorker() {
        String reason = notWorkerReason();
        if (reason != null) {
            throw new EinhornException(reason);
        }
    }

    private static String notWorkerReason() {
        String master = env("EINHORN_MASTER_PID");
        if (master == null) {
            return "No EINHORN_MASTER_PID environment variable set. Are you running your process under Einhorn?";
        }
        Optional<ProcessHandle> parentHandle = ProcessHandle.current().parent();
        long parent = parentHandle.isPresent() ? parentHandle.get().pid() : -1L;
        if (!master.trim().equals(Long.toString(parent))) {
            return "EINHORN_MASTER_PID environment variable is \"" + master + "\", but my parent's pid is "
                    + parent + ". This probably means that I am a subprocess of an Einhorn worker, but am not one myself.";
        }
        return null;
    }

    /** The master's pid from {@code EINHORN_MASTER_PID}, if set and numeric. */
    public static OptionalLong masterPid() {
        String v = env("EINHORN_MASTER_PID");
        if (v != null) {
            try {
                return OptionalLong.of(Long.parseLong(v.trim()));
            } catch (NumberFormatException ignored) {
                // fall through
            }
        }
        return OptionalLong.empty();
    }

    /**
     * This worker's index from {@code EINHORN_CHILD_INDEX}: the smallest non-negative number no other
     * live worker of this master has. Empty outside einhorn.
     */
    public static OptionalInt childIndex() {
        String v = env("EINHORN_CHILD_INDEX");
        if (v != null && !v.isEmpty() && isDigits(v)) {
            try {
                return OptionalInt.of(Integer.parseInt(v));
            } catch (NumberFormatException ignored) {
                // too large: fall through
            }
        }
        return OptionalInt.empty();
    }

    private static boolean isDigits(String v) {
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ sockets

    /** {@code EINHORN_FD_COUNT}, the number of sockets bound with {@code -b}; 0 when unset. */
    public static int socketCount() {
        String v = env("EINHORN_FD_COUNT");
        if (v == null) {
            return 0;
        }
        int count;
        try {
            count = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new EinhornException("EINHORN_FD_COUNT is \"" + v + "\", not a number");
        }
        if (count < 0) throw new EinhornException("EINHORN_FD_COUNT is \"" + v + "\", not a count of sockets");
        return count;
    }

    /**
     * The raw fd number of socket {@code n} ({@code EINHORN_FD_n}), for libraries that take one
     * (e.g. Netty's {@code EpollServerSocketChannel(int)}).
     */
    public static int fd(int n) {
        int count = socketCount();
        if (n < 0 || n >= count) {
            throw new EinhornException("Only " + count + " FDs available, but FD " + n + " was requested"
                    + (count == 0 ? " (EINHORN_FD_COUNT is unset or 0: is this running under einhorn with -b?)" : ""));
        }
        String v = env("EINHORN_FD_" + n);
        if (v == null) {
            throw new EinhornException("No EINHORN_FD_" + n + " provided in environment. That's pretty weird");
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new EinhornException("EINHORN_FD_" + n + " is \"" + v + "\", not a file descriptor number");
        }
    }

    /**
     * Socket {@code n} (in {@code -b} order) as a standard, blocking {@link ServerSocketChannel}. The
     * same object on every call. Works with a Selector after {@code configureBlocking(false)}, and with
     * servers that accept an open channel (Netty NIO {@code register()}, Jetty's
     * {@code ServerConnector.open(channel)}). Closing it closes only this worker's copy of the socket.
     *
     * @throws EinhornException when there is no socket {@code n}, when the fd is not a socket, or when
     *     the JVM lacks {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED} (not needed for fd 0)
     */
    public static ServerSocketChannel serverSocket(int n) {
        ServerSocketChannel cached = SERVER_SOCKETS.get(n);
        if (cached != null) {
            return cached;
        }
        synchronized (SERVER_SOCKETS) {
            cached = SERVER_SOCKETS.get(n);
            if (cached != null) {
                return cached;
            }
            int fd = fd(n);
            ServerSocketChannel ch = InheritedFds.serverSocketChannel(fd, family(n), "Einhorn.serverSocket(" + n + ")");
            SERVER_SOCKETS.put(n, ch);
            return ch;
        }
    }

    /** The family named by {@code EINHORN_FD_FAMILY_n}, or null when unset (then it is detected). */
    private static ProtocolFamily family(int n) {
        String v = env("EINHORN_FD_FAMILY_" + n);
        if (v == null || v.isBlank()) {
            return null;
        }
        switch (v.trim().toUpperCase(Locale.ROOT)) {
            case "AF_INET":
            case "INET":
                return StandardProtocolFamily.INET;
            case "AF_INET6":
            case "INET6":
                return StandardProtocolFamily.INET6;
            case "AF_UNIX":
            case "AF_LOCAL":
            case "UNIX":
                return StandardProtocolFamily.UNIX;
            default:
                throw new EinhornException("EINHORN_FD_FAMILY_" + n + " is \"" + v
                        + "\"; expected AF_INET, AF_INET6 or AF_UNIX");
        }
    }

    // ------------------------------------------------------------------ ack and ping

    /**
     * Tells the master this worker is ready: writes {@code {"command":"worker:ack","pid":PID}} and a
     * newline to the command socket, then closes the connection (the master sends no reply). Only
     * needed with manual acks ({@code einhorn -m manual}).
     *
     * <p>The connection: the inherited {@code EINHORN_SOCK_FD} (with {@code einhorn -g}) the first time
     * it is available, else a new UNIX-domain connection to {@code EINHORN_SOCK_PATH}.
     *
     * @throws EinhornException outside einhorn, or when the command socket cannot be reached
     */
    public static void ack() {
        ensureWorker();
        send("{\"command\":\"worker:ack\",\"pid\":" + ProcessHandle.current().pid() + "}");
    }

    /**
     * {@link #ack()} for programs that also run on their own: returns false (and does nothing) when
     * this process is not an einhorn worker, true after a successful ack.
     */
    public static boolean ackIfWorker() {
        if (!isWorker()) {
            return false;
        }
        ack();
        return true;
    }

    /**
     * Answers a ping: writes {@code {"command":"worker:ping","pid":PID,"request_id":ID}} to the
     * command socket (no reply). Same connection rules as {@link #ack()}.
     */
    public static void ping(String requestId) {
        if (requestId == null) {
            throw new IllegalArgumentException("requestId is null");
        }
        ensureWorker();
        send("{\"command\":\"worker:ping\",\"pid\":" + ProcessHandle.current().pid()
                + ",\"request_id\":" + jsonString(requestId) + "}");
    }

    /** Frames one request as the master expects: '%' -> "%25", '\n' -> "%0A", then a newline. */
    static byte[] frame(String json) {
        String escaped = json.replace("%", "%25").replace("\n", "%0A");
        return (escaped + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void send(String json) {
        byte[] line = frame(json);
        String sockFd = env("EINHORN_SOCK_FD");
        String path = env("EINHORN_SOCK_PATH");
        EinhornException fdFailure = null;
        if (sockFd != null && !sockFd.isBlank() && !SOCK_FD_USED.getAndSet(true)) {
            try {
                sendOnFd(parseFd(sockFd), line);
                return;
            } catch (EinhornException e) {
                if (path == null || path.isEmpty()) {
                    throw e;
                }
                fdFailure = e;   // fall back to the path
            }
        }
        if (path == null || path.isEmpty()) {
            throw new EinhornException("No EINHORN_SOCK_PATH (nor an unused EINHORN_SOCK_FD) in the environment:"
                    + " cannot reach the einhorn master's command socket");
        }
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        } catch (IOException | RuntimeException e) {
            EinhornException ex = new EinhornException("Cannot send to the einhorn command socket at " + path
                    + ": " + e, e);
            if (fdFailure != null) {
                ex.addSuppressed(fdFailure);
            }
            throw ex;
        }
    }

    private static int parseFd(String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new EinhornException("EINHORN_SOCK_FD is \"" + v + "\", not a file descriptor number");
        }
    }

    /**
     * Writes to the inherited, already connected command-socket fd and closes it (as Ruby's
     * {@code ack!(:fd)} does). A plain {@link FileOutputStream} over the fd is enough: write(2) on a
     * connected stream socket. The FileDescriptor comes from {@code IOUtil.newFD}, so this also needs
     * the opens flag; without it, {@link #send} falls back to {@code EINHORN_SOCK_PATH}.
     */
    private static void sendOnFd(int fd, byte[] line) {
        // Only onto a socket: the fd number may be open on something else here (stdout, a log file), which would
        // take the request, report success without an ack reaching the master, and then be closed.
        InheritedFds.socketInode(fd, "Einhorn.ack() over EINHORN_SOCK_FD");
        FileDescriptor fdo = InheritedFds.fileDescriptor(fd, "Einhorn.ack() over EINHORN_SOCK_FD");
        try (FileOutputStream out = new FileOutputStream(fdo)) {
            out.write(line);
        } catch (IOException e) {
            throw new EinhornException("Cannot write to the einhorn command socket at EINHORN_SOCK_FD=" + fd + ": " + e, e);
        }
    }

    static String jsonString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"').toString();
    }

    // ------------------------------------------------------------------ graceful shutdown

    /**
     * The graceful-shutdown signal's name without "SIG" ({@code USR2}, {@code TERM}, ...): from
     * {@code EINHORN_GRACEFUL_SIGNAL}, default {@code USR2}.
     */
    public static String gracefulSignal() {
        String v = env("EINHORN_GRACEFUL_SIGNAL");
        if (v == null || v.isBlank()) {
            return DEFAULT_GRACEFUL_SIGNAL;
        }
        String name = v.trim().toUpperCase(Locale.ROOT);
        return name.startsWith("SIG") ? name.substring(3) : name;
    }

    /**
     * Runs {@code handler} when the graceful-shutdown signal ({@link #gracefulSignal()}) arrives: the
     * master sends it to retire this worker (on upgrade, {@code dec}, or its own shutdown). The
     * handler should stop accepting, finish in-flight work, and let the process exit 0. Handlers run in
     * registration order, on the JVM's signal-dispatch thread, once per signal delivered: keep them
     * short and idempotent (e.g. count down a latch the main thread waits on). Installing the trap
     * replaces the JVM's own action for that signal (for TERM: the normal shutdown).
     *
     * @throws EinhornException when the JVM refuses the signal (e.g. QUIT, used by the VM)
     */
    public static void onGracefulShutdown(Runnable handler) {
        if (handler == null) {
            throw new IllegalArgumentException("handler is null");
        }
        String name = gracefulSignal();
        synchronized (SIGNAL_LOCK) {
            GRACEFUL_HANDLERS.add(handler);
            if (name.equals(installedSignal)) {
                return;
            }
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), new GracefulTrap());
            } catch (IllegalArgumentException e) {
                GRACEFUL_HANDLERS.remove(handler);
                throw new EinhornException("Cannot trap SIG" + name + " (EINHORN_GRACEFUL_SIGNAL) in this JVM: "
                        + e.getMessage() + ". Choose another graceful signal (USR2, TERM, INT, HUP, USR1).", e);
            }
            installedSignal = name;
            if (name.equals("USR2") && env("_JAVA_SR_SIGNUM") == null && isWorker()) {
                System.err.println("einhorn: warning: this JVM handles SIGUSR2 but _JAVA_SR_SIGNUM is not set;"
                        + " HotSpot also uses SIGUSR2 internally. Set _JAVA_SR_SIGNUM=40 in the worker's environment.");
            }
        }
    }

    /** A class, not a lambda: keeps lambda bootstrap out of worker start-up. */
    private static final class GracefulTrap implements sun.misc.SignalHandler {
        @Override
        public void handle(sun.misc.Signal sig) {
            runGracefulHandlers();
        }
    }

    private static void runGracefulHandlers() {
        for (Runnable r : GRACEFUL_HANDLERS) {
            try {
                r.run();
            } catch (Throwable t) {
                System.err.println("einhorn: graceful-shutdown handler failed: " + t);
                t.printStackTrace();
            }
        }
    }

    // ------------------------------------------------------------------ environment

    /** The environment, where a standby's activation (which cannot change the environment) takes precedence. */
    private static String env(String name) {
        String activated = Standby.activated().get(name);
        return activated != null ? activated : System.getenv(name);
    }
}
