package dev.einhorn.children;

import dev.einhorn.posix.Posix;
import dev.einhorn.posix.PosixException;
import dev.einhorn.posix.SpawnRequest;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code -k}: when the master dies, however it dies (SIGKILL included), every worker gets the graceful signal;
 * and no number of master re-execs signals anyone.
 *
 * <p>Why not {@code PR_SET_PDEATHSIG} as Einhorn: Linux fires it when the <em>thread</em> that spawned the child
 * exits, and a JVM master that re-execs itself loses its threads each time
 * (docs/JVM-FACTS.md#pdeathsig-is-per-thread). Instead a tiny {@code /bin/sh} process in its own process group
 * reads worker pids from a pipe ({@code +PID}, {@code -PID}); the master holds the only write end and keeps it
 * open across every re-exec. When the master is gone the pipe reads EOF and the watchdog signals the pids it
 * still has.
 */
public final class KillWatchdog {
    private static final Logger log = LoggerFactory.getLogger(KillWatchdog.class);
    static final String SCRIPT = "sig=$1; live=' '\n"
            + "while read -r op pid; do\n"
            + "  case \"$op\" in\n"
            + "    +) live=\"$live$pid \" ;;\n"
            + "    -) next=' '; for p in $live; do [ \"$p\" = \"$pid\" ] || next=\"$next$p \"; done; live=$next ;;\n"
            + "  esac\n"
            + "done <&3\n"
            + "for p in $live; do kill -s \"$sig\" \"$p\" 2>/dev/null; done\n";

    private final Posix posix;
    private final String signal;
    private int pid;
    private int writeFd;
    /**
     * Lines the watchdog has not taken yet: its pipe was full (the watchdog stopped or starved). The write end is
     * non-blocking, because a blocking write would park the master's loop thread until the watchdog reads; they go
     * out, in order, ahead of the next line (after a re-exec too: they are part of {@link #state()}).
     */
    private final StringBuilder pending = new StringBuilder(); // ASCII lines: pids and signs
    private boolean backlogLogged;

    private KillWatchdog(Posix posix, String signal, int pid, int writeFd) {
        this.posix = posix;
        this.signal = signal;
        this.pid = pid;
        this.writeFd = writeFd;
    }

    /** Starts a watchdog that already knows these workers. */
    public static KillWatchdog start(Posix posix, String signal, Map<String, String> env, Collection<Integer> workers)
            throws PosixException {
        KillWatchdog w = new KillWatchdog(posix, signal, -1, -1);
        w.spawn(env, workers);
        return w;
    }

    /** The watchdog the previous image started (from the handed-over state). */
    public static KillWatchdog adopt(Posix posix, String signal, Map<String, Object> saved) {
        KillWatchdog w = new KillWatchdog(posix, signal, ((Number) saved.get("pid")).intValue(),
                ((Number) saved.get("write_fd")).intValue());
        w.nonBlocking(); // already, unless an older image handed it over
        if (saved.get("pending") instanceof String lines) w.pending.append(lines);
        return w;
    }

    private void nonBlocking() {
        try {
            posix.setNonBlocking(writeFd, true);
        } catch (PosixException e) {
            log.error("The -k watchdog's pipe (fd {}) is unusable: {}", writeFd, e.getMessage());
        }
    }

    private void spawn(Map<String, String> env, Collection<Integer> workers) throws PosixException {
        int[] pipe = posix.pipe();
        try {
            pid = posix.spawn(new SpawnRequest("/bin/sh", List.of("einhorn-watchdog", "-c", SCRIPT,
                    "einhorn-watchdog", signal), env, List.of(pipe[0])));
        } finally {
            posix.close(pipe[0]);
        }
        writeFd = pipe[1];
        nonBlocking();
        pending.setLength(0); // a new watchdog hears of every worker below
        log.debug("Started the -k watchdog {} (signal {} to every worker if the master dies)", pid, signal);
        for (int worker : workers) added(worker);
    }

    public void added(int workerPid) {
        send("+ " + workerPid + "\n");
    }

    public void removed(int workerPid) {
        send("- " + workerPid + "\n");
    }

    private void send(String line) {
        pending.append(line);
        byte[] bytes = pending.toString().getBytes(StandardCharsets.US_ASCII);
        try {
            pending.delete(0, posix.writeAvailable(writeFd, bytes, 0, bytes.length));
        } catch (PosixException e) {
            pending.setLength(0);
            log.error("The -k watchdog {} is gone; workers will not be signaled if the master dies", pid);
            return;
        }
        if (pending.length() > 0 && !backlogLogged) {
            backlogLogged = true;
            log.warn("The -k watchdog {} is not reading; what it must know waits in the master ({} bytes)", pid,
                    pending.length());
        } else if (pending.length() == 0) {
            backlogLogged = false;
        }
    }

    public int pid() {
        return pid;
    }

    int writeFd() {
        return writeFd;
    }

    /** The watchdog exited (it should not while we live): start a new one with the current workers. */
    public void restart(Map<String, String> env, Collection<Integer> workers) {
        log.error("The -k watchdog {} exited; starting a new one", pid);
        posix.close(writeFd);
        try {
            spawn(env, workers);
        } catch (PosixException e) {
            log.error("Could not restart the -k watchdog: {}", e.getMessage());
            pid = -1;
        }
    }

    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", pid);
        m.put("write_fd", writeFd);
        // lines the watchdog has not taken yet: the next image writes them ahead of its own
        if (pending.length() > 0) m.put("pending", pending.toString());
        return m;
    }
}
