package dev.einhorn.posix;

/**
 * How a reaped child ended: {@code exitCode} when it exited, {@code signal} (> 0) when a signal killed it.
 */
public record ExitStatus(int pid, int exitCode, int signal) {
    /** The exit code of a child whose status was lost (ECHILD: reaped elsewhere). */
    public static final int UNKNOWN = -1;

    /** A child that is gone but whose status is unknown. */
    public static ExitStatus unknown(int pid) {
        return new ExitStatus(pid, UNKNOWN, 0);
    }

    public boolean killedBySignal() {
        return signal > 0;
    }

    /** "exit status 3" / "killed by SIGKILL" / "exit status unknown" (reaped by another program), for logs. */
    public String describe() {
        if (killedBySignal()) {
            return "killed by SIG" + Signals.name(signal);
        }
        return exitCode == UNKNOWN ? "exit status unknown" : "exit status " + exitCode;
    }
}
