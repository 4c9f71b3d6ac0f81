package dev.einhorn.posix;

import java.nio.channels.Channel;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The few POSIX calls the master needs and the JDK lacks. One interface, one implementation over libc
 * ({@link LibcPosix}); besides it, only {@link Sockets} (systemd's sockets) makes a system call the JDK does not.
 */
public interface Posix {

    /** This process's pid. */
    int getpid();

    /**
     * Starts a worker with {@code posix_spawnp}: every signal at its default disposition, an empty
     * signal mask, its own process group, and exactly fds 0, 1, 2 plus {@link SpawnRequest#inheritFds()}
     * placed at 3, 4, ... in that order; every other fd of the master is closed in the child.
     *
     * @return the child's pid
     * @throws PosixException when the spawn itself fails (e.g. ENOENT, EACCES on exec)
     */
    int spawn(SpawnRequest request) throws PosixException;

    /** {@code waitpid(-1, WNOHANG)}: one reaped child, or empty when none has exited (or no children). */
    Optional<ExitStatus> reapAny();

    /**
     * {@code waitpid(pid, WNOHANG)}: the exit of that child if it has exited; empty while it runs.
     * ECHILD (not our child, or already reaped) counts as exited: {@link ExitStatus#unknown(int)}.
     */
    Optional<ExitStatus> reap(int pid);

    /**
     * {@code kill(pid, sig)}.
     *
     * @return false when the process does not exist (ESRCH)
     * @throws IllegalStateException on any other error (EPERM, EINVAL), cause a {@link PosixException}
     */
    boolean kill(int pid, int signal);

    /** The file descriptor number behind a JDK channel (socket, server socket, pipe end). */
    int fdOf(Channel channel);

    /** Sets or clears O_NONBLOCK on an fd. */
    void setNonBlocking(int fd, boolean nonBlocking) throws PosixException;

    /** Sets or clears FD_CLOEXEC on an fd. */
    void setCloseOnExec(int fd, boolean closeOnExec) throws PosixException;

    /**
     * Sets a signal's disposition to SIG_DFL ({@code sigaction}). Call it before installing a
     * {@code sun.misc.Signal} handler: the JVM silently never installs one for a signal that is
     * ignored at that moment (e.g. HUP under nohup). Removes any handler the JVM had for it, so
     * install the new handler right after.
     */
    void resetSignalToDefault(int signal) throws PosixException;

    /** Removes a signal from the calling thread's signal mask ({@code pthread_sigmask(SIG_UNBLOCK)}). */
    void unblockSignal(int signal) throws PosixException;

    /**
     * Sets a signal to SIG_IGN. Before a re-exec: an ignored HUP, INT or TERM is left alone by the next JVM (no
     * shutdown handler, not unblocked), and Linux keeps a blocked signal pending even while it is ignored.
     */
    void ignoreSignal(int signal) throws PosixException;

    /** Blocks a signal for the calling thread (the mask survives execve, so nothing is lost in a re-exec). */
    void blockSignal(int signal) throws PosixException;

    /**
     * Replaces this process image ({@code execve}); only returns by throwing. Every fd without FD_CLOEXEC stays
     * open in the new image.
     */
    void execve(String path, List<String> argv, Map<String, String> env) throws PosixException;

    /** An anonymous in-memory file holding these bytes, positioned at 0, without FD_CLOEXEC; returns its fd. */
    int memfdWith(byte[] content) throws PosixException;

    /** Reads an fd from its current position to EOF, then closes it. */
    byte[] readToEndAndClose(int fd) throws PosixException;

    /** Closes an fd. */
    void close(int fd);

    /** {@code setpriority(PRIO_PROCESS, pid, nice)}: the nice level of a process (0 = this one). */
    void setNice(int pid, int nice) throws PosixException;

    /** A pipe without FD_CLOEXEC on either end: {read, write}. */
    int[] pipe() throws PosixException;

    /** Writes all of {@code data} to a (blocking) fd; false if the other end is gone or it failed. */
    boolean writeFully(int fd, byte[] data);

    /**
     * Writes what a non-blocking fd takes now, without waiting: the number of bytes written, 0 when it takes none
     * (EAGAIN: a full pipe).
     *
     * @throws PosixException when the other end is gone (EPIPE) or the write fails otherwise
     */
    int writeAvailable(int fd, byte[] data, int offset, int length) throws PosixException;
}
