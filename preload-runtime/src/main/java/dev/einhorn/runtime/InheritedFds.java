package dev.einhorn.runtime;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channel;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Turns an inherited file descriptor number into JDK objects, by reflection into {@code sun.nio.ch}.
 *
 * <p>Verified on JDK 17.0.15 and 25.0.3 (the same signatures on both):
 * <ul>
 *   <li>{@code public static FileDescriptor sun.nio.ch.IOUtil.newFD(int)}</li>
 *   <li>{@code sun.nio.ch.ServerSocketChannelImpl(SelectorProvider, ProtocolFamily, FileDescriptor,
 *       boolean bound)} (package-private). With {@code bound = true} it reads the local address
 *       (getsockname) at once. The family argument only matters for {@code UNIX}; for anything
 *       else the JDK picks INET6 when IPv6 is available, which serves IPv4 sockets too.</li>
 * </ul>
 * Both need {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}. Fd 0 is special: without the
 * flag, the JDK's {@link System#inheritedChannel()} wraps it (see {@link #serverSocketChannel}).
 */
public final class InheritedFds {
    static final String OPENS_FLAG = "--add-opens java.base/sun.nio.ch=ALL-UNNAMED";

    private InheritedFds() {
    }

    /** Reflection handles, looked up once. */
    private static final class Handles {
        final Method newFd;
        final Constructor<?> serverChannel;

        Handles(Method newFd, Constructor<?> serverChannel) {
            this.newFd = newFd;
            this.serverChannel = serverChannel;
        }
    }

    private static volatile Handles handles;

    private static Handles handles(String what) {
        Handles h = handles;
        if (h != null) {
            return h;
        }
        try {
            Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil");
            Method newFd = ioUtil.getDeclaredMethod("newFD", int.class);
            Class<?> impl = Class.forName("sun.nio.ch.ServerSocketChannelImpl");
            Constructor<?> ctor = impl.getDeclaredConstructor(
                    SelectorProvider.class, ProtocolFamily.class, FileDescriptor.class, boolean.class);
            newFd.setAccessible(true);
            ctor.setAccessible(true);
            h = new Handles(newFd, ctor);
            handles = h;
            return h;
        } catch (InaccessibleObjectException | SecurityException e) {
            throw new EinhornException(missingOpensMessage(what), e);
        } catch (ReflectiveOperationException e) {
            throw new EinhornException(what + ": this JDK (" + Runtime.version()
                    + ") lacks sun.nio.ch.IOUtil.newFD(int) or the constructor "
                    + "sun.nio.ch.ServerSocketChannelImpl(SelectorProvider, ProtocolFamily, FileDescriptor, boolean)"
                    + " that einhorn uses to adopt inherited sockets (known to work on JDK 17 and 25): " + e, e);
        }
    }

    static String missingOpensMessage(String what) {
        return what + " needs the JVM flag " + OPENS_FLAG
                + " to adopt an inherited socket: add it to the java command line (before -cp/-jar),"
                + " or put it in JDK_JAVA_OPTIONS. (Only a socket at fd 0 works without it,"
                + " through System.inheritedChannel().)";
    }

    /** A FileDescriptor for an inherited fd number. Needs the opens flag. */
    static FileDescriptor fileDescriptor(int fd, String what) {
        Handles h = handles(what);
        try {
            return (FileDescriptor) h.newFd.invoke(null, fd);
        } catch (IllegalAccessException e) {
            throw new EinhornException(missingOpensMessage(what), e);
        } catch (InvocationTargetException e) {
            throw new EinhornException(what + ": IOUtil.newFD(" + fd + ") failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Wraps a listening socket at {@code fd}. {@code family} may be null (unknown): then it is detected
     * from /proc (see {@link #detectFamily}).
     *
     * <p>Fd 0 goes through the reflection path too when {@code sun.nio.ch} is open, and through
     * {@link System#inheritedChannel()} only when it is not: closing the JDK's inherited channel
     * also points fds 0, 1 and 2 at /dev/null (inetd semantics), so a worker that closes its socket
     * on graceful shutdown would lose its stdout and stderr.
     */
    public static ServerSocketChannel serverSocketChannel(int fd, ProtocolFamily family, String what) {
        if (fd == 0 && !opened()) {
            return fromInheritedChannel(what);
        }
        Handles h = handles(what);
        ProtocolFamily fam = family != null ? family : detectFamily(fd, what);
        FileDescriptor fdo = fileDescriptor(fd, what);
        try {
            return construct(h, SelectorProvider.provider(), fam, fdo);
        } catch (IOException e) {
            throw new EinhornException(what + ": fd " + fd + " is not a bound " + familyName(fam)
                    + " socket: " + e.getMessage(), e);
        }
    }

    /**
     * Wraps a connected stream socket at {@code fd} (the master adopts its command-socket clients this way after
     * a re-exec). Uses {@code sun.nio.ch.SocketChannelImpl(SelectorProvider, ProtocolFamily, FileDescriptor,
     * SocketAddress remote)}, the same on JDK 17 and 25.
     */
    public static SocketChannel socketChannel(int fd, ProtocolFamily family, String what) {
        FileDescriptor fdo = fileDescriptor(fd, what);
        try {
            Constructor<?> ctor = Class.forName("sun.nio.ch.SocketChannelImpl").getDeclaredConstructor(
                    SelectorProvider.class, ProtocolFamily.class, FileDescriptor.class, SocketAddress.class);
            ctor.setAccessible(true);
            SocketAddress remote = family == StandardProtocolFamily.UNIX ? UnixDomainSocketAddress.of("") : null;
            return (SocketChannel) ctor.newInstance(SelectorProvider.provider(), family, fdo, remote);
        } catch (InaccessibleObjectException e) {
            throw new EinhornException(missingOpensMessage(what), e);
        } catch (InvocationTargetException e) {
            throw new EinhornException(what + ": fd " + fd + " is not a connected socket: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new EinhornException(what + ": cannot construct sun.nio.ch.SocketChannelImpl: " + e, e);
        }
    }

    /** True when this code may reflect into sun.nio.ch (the opens flag is present). */
    static boolean opened() {
        return Object.class.getModule().isOpen("sun.nio.ch", InheritedFds.class.getModule());
    }

    /**
     * AF_UNIX or an internet family, for an fd whose family the master did not say. The JDK cannot ask
     * (getsockname's family is not exposed, and decoding the address with the wrong family silently
     * yields garbage: a UNIX path read as an IPv4 address), so on Linux read /proc: the fd's link is
     * {@code socket:[INODE]}, and AF_UNIX sockets are listed with their inode in /proc/net/unix.
     * Without /proc, assume an internet socket.
     */
    static ProtocolFamily detectFamily(int fd, String what) {
        String inode = socketInode(fd, what);
        if (inode == null) {
            return StandardProtocolFamily.INET;
        }
        // No streams or lambdas here: their bootstrap costs tens of ms in a cold worker JVM.
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/net/unix"), StandardCharsets.US_ASCII)) {
            String line = r.readLine();   // Num RefCount Protocol Flags Type St Inode [Path]
            while ((line = r.readLine()) != null) {
                String[] f = line.trim().split(" +");
                if (f.length >= 7 && f[6].equals(inode)) {
                    return StandardProtocolFamily.UNIX;
                }
            }
            return StandardProtocolFamily.INET;
        } catch (IOException | RuntimeException e) {
            return StandardProtocolFamily.INET;
        }
    }

    /**
     * The inode of the socket at {@code fd} (from its /proc/self/fd link {@code socket:[INODE]}), or null when
     * /proc cannot tell.
     *
     * @throws EinhornException when the fd is not open, or open on something else than a socket
     */
    static String socketInode(int fd, String what) {
        String target;
        try {
            target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (NoSuchFileException e) {
            if (Files.isDirectory(Path.of("/proc/self/fd"))) {
                throw new EinhornException(what + ": fd " + fd + " is not open in this process"
                        + " (was it inherited? the master must clear FD_CLOEXEC on it)");
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (!target.startsWith("socket:[") || !target.endsWith("]")) {
            throw new EinhornException(what + ": fd " + fd + " is not a socket (it is " + target + ")");
        }
        return target.substring("socket:[".length(), target.length() - 1);
    }

    private static ServerSocketChannel construct(Handles h, SelectorProvider provider, ProtocolFamily family,
                                                 FileDescriptor fdo) throws IOException {
        try {
            return (ServerSocketChannel) h.serverChannel.newInstance(provider, family, fdo, true);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException) {
                throw (IOException) cause;
            }
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IOException(cause);
        } catch (InstantiationException | IllegalAccessException e) {
            throw new EinhornException("cannot construct sun.nio.ch.ServerSocketChannelImpl: " + e, e);
        }
    }

    private static ServerSocketChannel fromInheritedChannel(String what) {
        Channel ch;
        try {
            ch = System.inheritedChannel();
        } catch (IOException e) {
            throw new EinhornException(what + ": System.inheritedChannel() failed: " + e.getMessage(), e);
        }
        if (ch instanceof ServerSocketChannel) {
            return (ServerSocketChannel) ch;
        }
        throw new EinhornException(what + ": the socket is at fd 0, but System.inheritedChannel() gave "
                + (ch == null ? "null (stdin is not a socket)" : ch.getClass().getName() + " (not a listening socket)"));
    }

    static String familyName(ProtocolFamily family) {
        if (family == StandardProtocolFamily.UNIX) {
            return "AF_UNIX";
        }
        if (family == StandardProtocolFamily.INET6) {
            return "AF_INET6";
        }
        return "AF_INET";
    }
}
