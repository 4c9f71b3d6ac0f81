package dev.einhorn.posix;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.Channel;

/**
 * Reads the fd number behind a JDK NIO channel. The JDK has no public API for it; every NIO
 * socket, server socket (inet and UNIX-domain) and pipe end implements {@code sun.nio.ch.SelChImpl}.
 * Reflection, not a compile-time reference, because {@code javac --release} hides sun.nio.ch.
 */
final class ChannelFds {
    private static final String FLAGS =
            "--add-exports java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED";

    private ChannelFds() {}

    static int fdOf(Channel channel) {
        try {
            Class<?> selCh = Class.forName("sun.nio.ch.SelChImpl");
            if (selCh.isInstance(channel)) {
                Method getFDVal = selCh.getMethod("getFDVal");
                return (int) getFDVal.invoke(channel);
            }
        } catch (IllegalAccessException | ClassNotFoundException | NoSuchMethodException e) {
            // Without --add-exports: try the private field, which works with --add-opens alone.
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("getFDVal failed on " + channel.getClass().getName(), e);
        }
        return fdValField(channel);
    }

    private static int fdValField(Channel channel) {
        for (Class<?> c = channel.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField("fdVal");
                f.setAccessible(true);
                return f.getInt(channel);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            } catch (RuntimeException | IllegalAccessException e) {
                throw new IllegalStateException("cannot read the fd of " + channel.getClass().getName()
                        + ": start the JVM with " + FLAGS, e);
            }
        }
        throw new IllegalArgumentException("not a JDK NIO socket or pipe channel: " + channel.getClass().getName()
                + " (or the JVM lacks " + FLAGS + ")");
    }
}
