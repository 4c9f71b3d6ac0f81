package dev.einhorn.log;

import java.io.PrintStream;

/**
 * Einhorn's log format, {@code [MASTER 4303] INFO: message}, on stderr, one flushed line per message, with a
 * verbosity that {@code quieter}/{@code louder} change at run time: 0 debug, 1 info (default), 2 errors only.
 */
public final class EinhornLog {
    public static final int DEBUG = 0;
    public static final int INFO = 1;
    public static final int ERROR = 2;

    private static volatile int verbosity = INFO;
    private static volatile String tag = "MASTER";
    private static final long PID = ProcessHandle.current().pid();
    private static final PrintStream OUT = System.err;

    private EinhornLog() {}

    public static int verbosity() {
        return verbosity;
    }

    public static void setVerbosity(int v) {
        verbosity = Math.max(DEBUG, Math.min(ERROR, v));
    }

    /** True when messages of this level are printed. */
    public static boolean enabled(int level) {
        return level >= verbosity;
    }

    public static void setTag(String t) {
        tag = t;
    }

    /** Prints at the given level when enabled. */
    public static void log(int level, String message) {
        if (enabled(level)) write(tag, PID, level, message);
    }

    /** A line on behalf of another process (e.g. {@code [WORKER 4304] INFO: About to exec ...}). */
    public static void logFor(String otherTag, long pid, int level, String message) {
        if (enabled(level)) write(otherTag, pid, level, message);
    }

    /** Untagged raw stderr line (Einhorn prints inc/dec/set_workers results this way). */
    public static void raw(String message) {
        synchronized (OUT) {
            OUT.println(message);
            OUT.flush();
        }
    }

    private static void write(String t, long pid, int level, String message) {
        String name = level == DEBUG ? "DEBUG" : level == INFO ? "INFO" : "ERROR";
        raw("[" + t + " " + pid + "] " + name + ": " + message);
    }
}
