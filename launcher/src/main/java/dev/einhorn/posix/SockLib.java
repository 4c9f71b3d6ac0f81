package dev.einhorn.posix;

import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The glibc socket calls {@link Sockets} binds: only what systemd integration needs (inspect an inherited
 * socket, send one datagram). Public only because jnr-ffi generates the implementation in its own class
 * loader; nothing outside this package should use it. Kept apart from {@link LibC} so the spawn binding and
 * this one evolve independently.
 */
public interface SockLib {
    int socket(int domain, int type, int protocol);

    @ssize_t
    long sendto(int fd, byte[] buf, @size_t long len, int flags, Pointer addr, int addrlen);

    int getsockopt(int fd, int level, int optname, IntByReference optval, IntByReference optlen);

    int fcntl(int fd, int cmd, int arg);

    int close(int fd);

    String strerror(int errno);
}
