package dev.einhorn.posix;

/**
 * How a reaped child ended: {@code exitCode} when it exited, {@code signal} (> 0) when a signal killed it.
 */
public record ExitStatus(int pid, int exitCode, int signal) {
    public boolean killedBySignal() {
        return signal > 0;
    }

    /** "exited with status 3" / "killed by SIGKILL", for logs. */
    public String describe() {
        return killedBySignal() ? "killed by SIG" + Signals.name(signal) : "exited with status " + exitCode;
    }
}
