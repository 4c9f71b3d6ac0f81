package dev.einhorn.children;

import dev.einhorn.posix.Posix;
import dev.einhorn.posix.PosixException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's ends of its warm standbys' two pipes ({@code --standby}, docs/DESIGN.md "Warm standbys"): the park
 * pipe, whose write end the master keeps and where it writes the activation, and the ready pipe, whose read end
 * sits in the master's selector until the standby writes its one ready byte. The park write ends survive a re-exec
 * (they are raw fds, handed over by pid); a ready pipe does not, so a standby not yet ready at a re-exec is
 * retired by the next image.
 */
public final class StandbyPipes {
    private static final Logger log = LoggerFactory.getLogger(StandbyPipes.class);

    /** One standby's pipes as the master holds them. */
    public static final class Parked {
        final int pid;
        final int parkFd;
        final List<String> argv;
        Pipe.SourceChannel ready;

        Parked(int pid, int parkFd, List<String> argv) {
            this.pid = pid;
            this.parkFd = parkFd;
            this.argv = List.copyOf(argv);
        }
    }

    /** The fds to give a standby being spawned, then {@link #started} or {@link #abandon}. */
    public record Opening(int parkRead, int parkWrite, Pipe readyPipe, int readyWrite) {
    }

    private final Posix posix;
    private final Selector selector;
    private final Map<Integer, Parked> parked = new LinkedHashMap<>();

    public StandbyPipes(Posix posix, Selector selector) {
        this.posix = posix;
        this.selector = selector;
    }

    public Opening open() throws PosixException, IOException {
        int[] park = posix.pipe();
        Pipe ready = Pipe.open();
        return new Opening(park[0], park[1], ready, posix.fdOf(ready.sink()));
    }

    /** The child holds its ends now: the master closes its copies of them and watches the ready pipe. */
    public void started(int pid, Opening o, List<String> argv) throws IOException {
        posix.close(o.parkRead());
        o.readyPipe().sink().close();
        Parked p = new Parked(pid, o.parkWrite(), argv);
        p.ready = o.readyPipe().source();
        p.ready.configureBlocking(false);
        p.ready.register(selector, SelectionKey.OP_READ, p);
        parked.put(pid, p);
    }

    public void abandon(Opening o) {
        posix.close(o.parkRead());
        posix.close(o.parkWrite());
        closeQuietly(o.readyPipe().sink());
        closeQuietly(o.readyPipe().source());
    }

    /** The ready pipe is readable: calls {@code onReady} with the pid once its byte arrived. */
    public void onReadable(Parked p, IntConsumer onReady) {
        ByteBuffer b = ByteBuffer.allocate(16);
        int n;
        try {
            n = p.ready.read(b);
        } catch (IOException e) {
            n = -1;
        }
        if (n > 0) onReady.accept(p.pid);
        if (n != 0) closeReady(p); // one byte is all it ever writes; end of file: it died (reaped elsewhere)
    }

    /** Writes the activation ({@code NAME=VALUE} lines, an empty line) and lets go of the standby's pipes. */
    public boolean activate(int pid, Map<String, String> values) {
        Parked p = parked.remove(pid);
        if (p == null) return false;
        StringBuilder msg = new StringBuilder();
        values.forEach((k, v) -> msg.append(k).append('=').append(v).append('\n'));
        msg.append('\n');
        boolean ok = posix.writeFully(p.parkFd, msg.toString().getBytes(StandardCharsets.UTF_8));
        release(p);
        return ok;
    }

    /** It exited (or will never be activated): its pipes are closed. */
    public void forget(int pid) {
        Parked p = parked.remove(pid);
        if (p != null) release(p);
    }

    public boolean holds(int pid) {
        return parked.containsKey(pid);
    }

    public List<String> argvOf(int pid) {
        Parked p = parked.get(pid);
        return p == null ? null : p.argv;
    }

    /** For the hand-over: pid to park fd and argv, of the ready standbys only (a warming one is retired). */
    public Map<Object, Object> handover() {
        Map<Object, Object> out = new LinkedHashMap<>();
        for (Parked p : parked.values()) {
            if (p.ready != null) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("park_fd", p.parkFd);
            m.put("argv", p.argv);
            out.put(p.pid, m);
        }
        return out;
    }

    List<Integer> fdsToKeep() {
        return parked.values().stream().filter(p -> p.ready == null).map(p -> p.parkFd).toList();
    }

    /** Takes over what the previous image handed over. */
    @SuppressWarnings("unchecked")
    public void adopt(Map<Object, Object> saved) {
        if (saved == null) return;
        saved.forEach((pid, v) -> {
            Map<String, Object> m = (Map<String, Object>) v;
            Parked p = new Parked(((Number) pid).intValue(), ((Number) m.get("park_fd")).intValue(),
                    (List<String>) m.get("argv"));
            parked.put(p.pid, p);
        });
    }

    private void closeReady(Parked p) {
        if (p.ready == null) return;
        SelectionKey k = p.ready.keyFor(selector);
        if (k != null) k.cancel();
        closeQuietly(p.ready);
        p.ready = null;
    }

    private void release(Parked p) {
        closeReady(p);
        posix.close(p.parkFd);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            log.debug("closing a standby pipe: {}", e.toString());
        }
    }
}
