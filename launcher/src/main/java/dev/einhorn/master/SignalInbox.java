package dev.einhorn.master;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import dev.einhorn.posix.Posix;
import dev.einhorn.posix.PosixException;
import dev.einhorn.posix.Signals;
import sun.misc.Signal;

/**
 * Signals reach the master on the JVM's signal thread; they are only queued here and the event loop is woken
 * through a pipe, so every decision is taken on the loop's one thread.
 */
final class SignalInbox {
    private final Pipe pipe;
    private final ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
    private final ByteBuffer drain = ByteBuffer.allocate(256);

    SignalInbox(Selector selector) throws IOException {
        pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        pipe.sink().configureBlocking(false);
        pipe.source().register(selector, SelectionKey.OP_READ, this);
    }

    /**
     * Starts queueing these signals (names without SIG). Each is first reset to its default disposition: the JVM
     * never delivers HUP, INT or TERM to a handler when they were ignored at start (nohup, some init systems).
     */
    void handle(List<String> names, Posix posix) {
        for (String name : names) {
            try {
                posix.resetSignalToDefault(Signals.number(name).orElseThrow());
            } catch (PosixException e) {
                throw new IllegalStateException("cannot reset SIG" + name + ": " + e.getMessage(), e);
            }
            Signal.handle(new Signal(name), s -> {
                received.add(s.getName());
                wake();
            });
        }
    }

    /**
     * Unblocks these signals on the calling (loop) thread. A previous image blocked them before its execve so none
     * was lost in between; now that the handlers are in, the pending ones are delivered.
     */
    void unblock(List<String> names, Posix posix) {
        for (String name : names) {
            try {
                posix.unblockSignal(Signals.number(name).orElseThrow());
            } catch (PosixException e) {
                throw new IllegalStateException("cannot unblock SIG" + name + ": " + e.getMessage(), e);
            }
        }
    }

    private void wake() {
        try {
            pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
        } catch (IOException ignored) {
            // the pipe is full: the loop is already due to wake up
        }
    }

    /** The signals received since the last call, in order; empties the pipe. */
    List<String> take() {
        try {
            drain.clear();
            while (pipe.source().read(drain) > 0) drain.clear();
        } catch (IOException ignored) {
            // nothing more to drain
        }
        List<String> out = new ArrayList<>();
        for (String s; (s = received.poll()) != null; ) out.add(s);
        return out;
    }
}
