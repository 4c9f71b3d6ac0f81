package dev.einhorn.posix;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;

/**
 * Wraps a listening socket the master inherited (systemd's {@code LISTEN_FDS}) as a JDK
 * {@link ServerSocketChannel}, the same way the worker runtime does ({@code dev.einhorn.runtime.InheritedFds}):
 * {@code sun.nio.ch.IOUtil.newFD(int)} and the package-private constructor
 * {@code ServerSocketChannelImpl(SelectorProvider, ProtocolFamily, FileDescriptor, boolean bound)}, both the
 * same on JDK 17 and 25. Needs {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}, which bin/lib/jvm.sh
 * gives the master.
 */
public final class FdChannels {
    private FdChannels() {}

    /**
     * @param fd   an open, bound, listening stream socket (validate it with {@link Sockets#inspect} first)
     * @param unix true for AF_UNIX; otherwise the JDK treats it as an internet socket (INET6 serves IPv4 too)
     */
    public static ServerSocketChannel serverSocket(int fd, boolean unix) throws IOException {
        try {
            Method newFd = Class.forName("sun.nio.ch.IOUtil").getDeclaredMethod("newFD", int.class);
            Constructor<?> ctor = Class.forName("sun.nio.ch.ServerSocketChannelImpl").getDeclaredConstructor(
                    SelectorProvider.class, ProtocolFamily.class, FileDescriptor.class, boolean.class);
            newFd.setAccessible(true);
            ctor.setAccessible(true);
            FileDescriptor fdo = (FileDescriptor) newFd.invoke(null, fd);
            ProtocolFamily family = unix ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET6;
            return (ServerSocketChannel) ctor.newInstance(SelectorProvider.provider(), family, fdo, true);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException("cannot adopt fd " + fd + ": " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot adopt fd " + fd + " as a ServerSocketChannel on this JDK ("
                    + Runtime.version() + "; the JVM needs --add-opens java.base/sun.nio.ch=ALL-UNNAMED): " + e, e);
        }
    }
}
