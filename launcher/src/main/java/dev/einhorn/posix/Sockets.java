package dev.einhorn.posix;

import static com.kenai.jffi.Type.POINTER;
import static com.kenai.jffi.Type.SINT;
import static com.kenai.jffi.Type.SLONG;
import static com.kenai.jffi.Type.ULONG;

import java.nio.charset.StandardCharsets;

/**
 * Socket syscalls the JDK lacks, for systemd integration (Linux, x86_64/aarch64 glibc):
 * <ul>
 *   <li>{@link #inspect(int)}: what an inherited fd is ({@code getsockopt SO_TYPE, SO_DOMAIN,
 *       SO_ACCEPTCONN}), to validate sockets passed with {@code LISTEN_FDS};</li>
 *   <li>{@link #sendDatagram(String, byte[])}: one datagram to a UNIX-domain address, for {@code sd_notify}.
 *       {@code socket}/{@code sendto} called through the same jffi plumbing as {@link LibcPosix}
 *       ({@link NativeFunction}) rather than jnr-unixsocket: the JDK's {@code UnixDomainSocketAddress} supports
 *       neither datagram sockets nor Linux abstract addresses ({@code NOTIFY_SOCKET=@name}), and jnr-unixsocket
 *       would add libraries (jnr-ffi, jnr-enxio) to the master's class path for one sendto.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class Sockets {
    public static final int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10;
    public static final int SOCK_STREAM = 1, SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1, SO_TYPE = 3, SO_ACCEPTCONN = 30, SO_DOMAIN = 39;
    /**
     * MSG_DONTWAIT: a receiver that does not read (a hung or stopped systemd, a stale socket) fills its queue
     * (net.unix.max_dgram_qlen datagrams, 10 by default), after which a blocking sendto would wait for it forever,
     * on the master's loop thread. The datagram is dropped with EAGAIN instead.
     */
    private static final int MSG_NOSIGNAL = 0x4000, MSG_DONTWAIT = 0x40;
    private static final int F_GETFD = 1;
    /** sizeof(struct sockaddr_un): sa_family_t (2 bytes) + sun_path[108]. */
    private static final int SOCKADDR_UN_SIZE = 110, SUN_PATH_OFFSET = 2, SUN_PATH_MAX = 108;

    private static final NativeFunction
            SOCKET = NativeFunction.libc("socket", SINT, SINT, SINT, SINT),
            SENDTO = NativeFunction.libc("sendto", SLONG, SINT, POINTER, ULONG, SINT, POINTER, SINT),
            GETSOCKOPT = NativeFunction.libc("getsockopt", SINT, SINT, SINT, SINT, POINTER, POINTER),
            FCNTL = NativeFunction.libc("fcntl", SINT, SINT, SINT, SINT),
            CLOSE = NativeFunction.libc("close", SINT, SINT);

    private static final Sockets INSTANCE = new Sockets();

    private Sockets() {}

    /** The socket calls (libc is opened on the first one). */
    public static Sockets get() {
        return INSTANCE;
    }

    /**
     * What an fd is, from getsockopt.
     *
     * @param domain    AF_UNIX, AF_INET, AF_INET6, ...
     * @param type      SOCK_STREAM, SOCK_DGRAM, ...
     * @param listening SO_ACCEPTCONN: listen(2) was called on it
     */
    public record SocketInfo(int fd, int domain, int type, boolean listening) {
        /** AF_UNIX, AF_INET, AF_INET6 or "family N": the form EINHORN_FD_FAMILY_n uses. */
        public String familyName() {
            return switch (domain) {
                case AF_UNIX -> "AF_UNIX";
                case AF_INET -> "AF_INET";
                case AF_INET6 -> "AF_INET6";
                default -> "family " + domain;
            };
        }

        public String typeName() {
            return switch (type) {
                case SOCK_STREAM -> "SOCK_STREAM";
                case SOCK_DGRAM -> "SOCK_DGRAM";
                case 5 -> "SOCK_SEQPACKET";
                default -> "type " + type;
            };
        }
    }

    /**
     * Inspects an open fd.
     *
     * @throws PosixException EBADF when it is not open, ENOTSOCK when it is not a socket
     */
    public SocketInfo inspect(int fd) throws PosixException {
        if (FCNTL.invokeInt(fd, F_GETFD, 0) == -1) throw error("fcntl(" + fd + ", F_GETFD)", NativeFunction.lastErrno());
        int type = sockopt(fd, SO_TYPE, "SO_TYPE");
        int domain = sockopt(fd, SO_DOMAIN, "SO_DOMAIN");
        int accept = sockopt(fd, SO_ACCEPTCONN, "SO_ACCEPTCONN");
        return new SocketInfo(fd, domain, type, accept != 0);
    }

    private int sockopt(int fd, int option, String name) throws PosixException {
        try (NativeMemory memory = new NativeMemory()) {
            long value = memory.zeroed(4);
            long len = memory.zeroed(4);
            NativeMemory.putInt(len, 4);
            if (GETSOCKOPT.invokeInt(fd, SOL_SOCKET, option, value, len) != 0) {
                throw error("getsockopt(" + fd + ", " + name + ")", NativeFunction.lastErrno());
            }
            return NativeMemory.getInt(value);
        }
    }

    /**
     * Sends one datagram on a fresh AF_UNIX SOCK_DGRAM socket to {@code address}: a path, or an abstract
     * name when it starts with {@code @} (the {@code @} becomes the leading NUL byte, as in sd_notify). Never
     * blocks: when the receiver's queue is full the datagram is not sent (EAGAIN).
     *
     * @throws PosixException when the socket cannot be made or sendto fails (ECONNREFUSED: nobody listens,
     *     ENOENT: no such path, EAGAIN: the receiver's queue is full)
     * @throws IllegalArgumentException when the address is empty, relative... or too long for sun_path
     */
    public void sendDatagram(String address, byte[] payload) throws PosixException {
        byte[] path = sunPath(address);
        int len = addrLength(address);
        try (NativeMemory memory = new NativeMemory()) {
            long addr = memory.zeroed(SOCKADDR_UN_SIZE);
            NativeMemory.putShort(addr, (short) AF_UNIX);
            long buf = memory.copyOf(payload, 0, payload.length);
            NativeMemory.putBytes(addr + SUN_PATH_OFFSET, path);
            int fd = SOCKET.invokeInt(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) throw error("socket(AF_UNIX, SOCK_DGRAM)", NativeFunction.lastErrno());
            try {
                long sent = SENDTO.invoke(fd, buf, payload.length, MSG_NOSIGNAL | MSG_DONTWAIT, addr, len);
                if (sent < 0) throw error("sendto(" + address + ")", NativeFunction.lastErrno());
            } finally {
                CLOSE.invoke(fd);
            }
        }
    }

    /** The address bytes that go in sun_path: the path plus NUL, or NUL plus the abstract name (no NUL). */
    static byte[] sunPath(String address) {
        if (address == null || address.isEmpty()) throw new IllegalArgumentException("empty socket address");
        if (!address.startsWith("@") && !address.startsWith("/")) {
            throw new IllegalArgumentException("socket address must be absolute or start with @: " + address);
        }
        byte[] name = address.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[name.length + (address.startsWith("@") ? 0 : 1)];
        System.arraycopy(name, 0, out, 0, name.length);
        if (address.startsWith("@")) out[0] = 0;
        if (out.length > SUN_PATH_MAX) {
            throw new IllegalArgumentException("socket address longer than " + (SUN_PATH_MAX - 1) + " bytes: " + address);
        }
        return out;
    }

    /** The addrlen for sendto: for an abstract name, exactly the name (a trailing NUL would be part of it). */
    static int addrLength(String address) {
        return SUN_PATH_OFFSET + sunPath(address).length;
    }

    private static PosixException error(String call, int errno) {
        return ErrnoText.exception(call, errno);
    }
}
