package dev.einhorn.posix;

import java.nio.charset.StandardCharsets;
import jnr.constants.platform.Errno;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;

/**
 * Socket syscalls the JDK lacks, for systemd integration (Linux, x86_64/aarch64 glibc):
 * <ul>
 *   <li>{@link #inspect(int)}: what an inherited fd is ({@code getsockopt SO_TYPE, SO_DOMAIN,
 *       SO_ACCEPTCONN}), to validate sockets passed with {@code LISTEN_FDS};</li>
 *   <li>{@link #sendDatagram(String, byte[])}: one datagram to a UNIX-domain address, for {@code sd_notify}.
 *       A tiny jnr-ffi binding of {@code socket}/{@code sendto} rather than jnr-unixsocket: the JDK's
 *       {@code UnixDomainSocketAddress} supports neither datagram sockets nor Linux abstract addresses
 *       ({@code NOTIFY_SOCKET=@name}), jnr-unixsocket would add a library (and its own jnr-enxio) to the
 *       master's classpath for one sendto, and jnr-ffi is already loaded for the POSIX layer.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class Sockets {
    public static final int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10;
    public static final int SOCK_STREAM = 1, SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1, SO_TYPE = 3, SO_ACCEPTCONN = 30, SO_DOMAIN = 39;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int F_GETFD = 1;
    /** sizeof(struct sockaddr_un): sa_family_t (2 bytes) + sun_path[108]. */
    private static final int SOCKADDR_UN_SIZE = 110, SUN_PATH_OFFSET = 2, SUN_PATH_MAX = 108;

    private static volatile Sockets instance;

    private final SockLib lib;
    private final Runtime runtime;

    private Sockets() {
        this.lib = LibraryLoader.create(SockLib.class).load("c");
        this.runtime = Runtime.getRuntime(lib);
    }

    /** The binding, loaded on first use. */
    public static Sockets get() {
        Sockets s = instance;
        if (s == null) {
            synchronized (Sockets.class) {
                if (instance == null) instance = new Sockets();
                s = instance;
            }
        }
        return s;
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
        if (lib.fcntl(fd, F_GETFD, 0) == -1) throw error("fcntl(" + fd + ", F_GETFD)", runtime.getLastError());
        int type = sockopt(fd, SO_TYPE, "SO_TYPE");
        int domain = sockopt(fd, SO_DOMAIN, "SO_DOMAIN");
        int accept = sockopt(fd, SO_ACCEPTCONN, "SO_ACCEPTCONN");
        return new SocketInfo(fd, domain, type, accept != 0);
    }

    private int sockopt(int fd, int option, String name) throws PosixException {
        IntByReference value = new IntByReference(0);
        IntByReference len = new IntByReference(4);
        if (lib.getsockopt(fd, SOL_SOCKET, option, value, len) != 0) {
            throw error("getsockopt(" + fd + ", " + name + ")", runtime.getLastError());
        }
        return value.intValue();
    }

    /**
     * Sends one datagram on a fresh AF_UNIX SOCK_DGRAM socket to {@code address}: a path, or an abstract
     * name when it starts with {@code @} (the {@code @} becomes the leading NUL byte, as in sd_notify).
     *
     * @throws PosixException when the socket cannot be made or sendto fails (ECONNREFUSED: nobody listens,
     *     ENOENT: no such path, EAGAIN: the receiver's queue is full)
     * @throws IllegalArgumentException when the address is empty, relative... or too long for sun_path
     */
    public void sendDatagram(String address, byte[] payload) throws PosixException {
        Pointer addr = sockaddrUn(address);
        int len = addrLength(address);
        int fd = lib.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) throw error("socket(AF_UNIX, SOCK_DGRAM)", runtime.getLastError());
        try {
            long sent = lib.sendto(fd, payload, payload.length, MSG_NOSIGNAL, addr, len);
            if (sent < 0) throw error("sendto(" + address + ")", runtime.getLastError());
        } finally {
            lib.close(fd);
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

    private Pointer sockaddrUn(String address) {
        byte[] path = sunPath(address);
        Pointer p = Memory.allocateDirect(runtime, SOCKADDR_UN_SIZE, true);
        p.putShort(0, (short) AF_UNIX);
        p.put(SUN_PATH_OFFSET, path, 0, path.length);
        return p;
    }

    private PosixException error(String call, int errno) {
        Errno e = Errno.valueOf(errno);
        String name = e == Errno.__UNKNOWN_CONSTANT__ ? "errno " + errno : e.name();
        return new PosixException(call, errno, lib.strerror(errno) + " (" + name + ")");
    }
}
