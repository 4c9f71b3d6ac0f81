package dev.einhorn.posix;

import java.nio.channels.Channel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jnr.constants.platform.Errno;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;

/**
 * {@link Posix} on Linux glibc (2.34+ for {@code posix_spawn_file_actions_addclosefrom_np}) through a
 * small jnr-ffi binding. jnr-posix's own spawn cannot reset signal dispositions or the mask.
 * Thread-safe: no shared mutable state besides libc itself.
 */
public final class JnrPosix implements Posix {
    private static final int ESRCH = 3, EINTR = 4, ECHILD = 10;
    private static final int WNOHANG = 1;
    private static final int SIG_UNBLOCK = 1;
    private static final int SIG_BLOCK = 0;
    private static final int F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4;
    private static final int FD_CLOEXEC = 1, O_NONBLOCK = 0x800;
    private static final short POSIX_SPAWN_SETPGROUP = 0x02, POSIX_SPAWN_SETSIGDEF = 0x04,
            POSIX_SPAWN_SETSIGMASK = 0x08;
    // Opaque glibc structs, sized generously (x86_64: attr 336, file actions 80, sigset 128 bytes).
    private static final int OPAQUE_SIZE = 512, SIGSET_SIZE = 128;
    // struct sigaction on x86_64/aarch64 glibc: handler(8) mask(128) flags(4+4 pad) restorer(8).
    private static final int SIGACTION_SIZE = 152;
    static final long SIG_DFL = 0, SIG_IGN = 1;

    private final LibC libc;
    private final Runtime runtime;

    public JnrPosix() {
        this.libc = LibraryLoader.create(LibC.class).load("c");
        this.runtime = Runtime.getRuntime(libc);
    }

    @Override
    public int getpid() {
        return libc.getpid();
    }

    @Override
    public int spawn(SpawnRequest request) throws PosixException {
        List<Integer> fds = request.inheritFds();
        // Temporaries sit above every source and every target fd, so no dup2 clobbers a source
        // that a later dup2 still needs (e.g. sources 4,3 going to 3,4).
        int temp = SpawnRequest.childFd(fds.size());
        for (int fd : fds) {
            if (fd < 0) {
                throw new IllegalArgumentException("negative fd " + fd + " in " + fds);
            }
            temp = Math.max(temp, fd + 1);
        }
        Pointer attr = Memory.allocateDirect(runtime, OPAQUE_SIZE, true);
        Pointer actions = Memory.allocateDirect(runtime, OPAQUE_SIZE, true);
        check("posix_spawnattr_init", libc.posix_spawnattr_init(attr));
        try {
            check("posix_spawn_file_actions_init", libc.posix_spawn_file_actions_init(actions));
            try {
                setAttributes(attr);
                for (int i = 0; i < fds.size(); i++) {
                    check("posix_spawn_file_actions_adddup2", libc.posix_spawn_file_actions_adddup2(actions, fds.get(i), temp + i));
                }
                // dup2 onto a different fd number leaves FD_CLOEXEC clear on the target.
                for (int i = 0; i < fds.size(); i++) {
                    check("posix_spawn_file_actions_adddup2",
                            libc.posix_spawn_file_actions_adddup2(actions, temp + i, SpawnRequest.childFd(i)));
                }
                check("posix_spawn_file_actions_addclosefrom_np",
                        libc.posix_spawn_file_actions_addclosefrom_np(actions, SpawnRequest.childFd(fds.size())));
                IntByReference pid = new IntByReference();
                int rc = libc.posix_spawnp(pid, request.program(), actions, attr,
                        nullTerminated(request.argv()), envp(request.env()));
                if (rc != 0) {
                    throw error("posix_spawnp(" + request.program() + ")", rc);
                }
                return pid.intValue();
            } finally {
                libc.posix_spawn_file_actions_destroy(actions);
            }
        } finally {
            libc.posix_spawnattr_destroy(attr);
        }
    }

    /**
     * Own process group; every signal at SIG_DFL; empty mask. The default set is all ones, not
     * sigfillset(): glibc's sigfillset leaves out its internal signals 32 and 33, and posix_spawn
     * then sets those to SIG_IGN in the child (measured: SigIgn 0x180000000).
     */
    private void setAttributes(Pointer attr) throws PosixException {
        Pointer all = Memory.allocateDirect(runtime, SIGSET_SIZE, false);
        Pointer none = Memory.allocateDirect(runtime, SIGSET_SIZE, true);
        all.setMemory(0, SIGSET_SIZE, (byte) 0xff);
        libc.sigemptyset(none);
        check("posix_spawnattr_setflags", libc.posix_spawnattr_setflags(attr,
                (short) (POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)));
        check("posix_spawnattr_setpgroup", libc.posix_spawnattr_setpgroup(attr, 0));
        check("posix_spawnattr_setsigdefault", libc.posix_spawnattr_setsigdefault(attr, all));
        check("posix_spawnattr_setsigmask", libc.posix_spawnattr_setsigmask(attr, none));
    }

    /** jnr passes a String[] as char*[] with a NULL slot after it; the explicit null makes that independent of jnr. */
    private static String[] nullTerminated(List<String> strings) {
        String[] out = strings.toArray(new String[strings.size() + 1]);
        out[strings.size()] = null;
        return out;
    }

    private static String[] envp(Map<String, String> env) {
        return nullTerminated(env.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).toList());
    }

    @Override
    public Optional<ExitStatus> reapAny() {
        return waitpid(-1);
    }

    /**
     * {@inheritDoc} When the child is unknown (ECHILD: never ours, or already reaped elsewhere) the
     * result is {@link ExitStatus#unknown(int)}: exit code {@link ExitStatus#UNKNOWN}, no signal.
     */
    @Override
    public Optional<ExitStatus> reap(int pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("reap needs a positive pid, got " + pid);
        }
        return waitpid(pid);
    }

    private Optional<ExitStatus> waitpid(int pid) {
        IntByReference status = new IntByReference();
        while (true) {
            int rc = libc.waitpid(pid, status, WNOHANG);
            if (rc > 0) {
                return Optional.of(decode(rc, status.intValue()));
            }
            if (rc == 0) {
                return Optional.empty();
            }
            int errno = runtime.getLastError();
            if (errno == ECHILD) {
                return pid > 0 ? Optional.of(ExitStatus.unknown(pid)) : Optional.empty();
            }
            if (errno != EINTR) {
                PosixException e = error("waitpid(" + pid + ")", errno);
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }

    /** The WIFEXITED/WEXITSTATUS/WTERMSIG macros; stopped/continued never come back without WUNTRACED/WCONTINUED. */
    static ExitStatus decode(int pid, int status) {
        int low = status & 0x7f;
        return low == 0 ? new ExitStatus(pid, (status >> 8) & 0xff, 0) : new ExitStatus(pid, 0, low);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException on any other failure (EPERM: the pid now belongs to someone
     *     else; EINVAL: no such signal), with the errno text; the cause is a {@link PosixException}
     */
    @Override
    public boolean kill(int pid, int signal) {
        if (libc.kill(pid, signal) == 0) {
            return true;
        }
        int errno = runtime.getLastError();
        if (errno == ESRCH) {
            return false;
        }
        PosixException e = error("kill(" + pid + ", SIG" + Signals.name(signal) + ")", errno);
        throw new IllegalStateException(e.getMessage(), e);
    }

    @Override
    public int fdOf(Channel channel) {
        return ChannelFds.fdOf(channel);
    }

    @Override
    public void setNonBlocking(int fd, boolean nonBlocking) throws PosixException {
        int flags = fcntl(fd, F_GETFL, 0);
        fcntl(fd, F_SETFL, nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);
    }

    @Override
    public void setCloseOnExec(int fd, boolean closeOnExec) throws PosixException {
        int flags = fcntl(fd, F_GETFD, 0);
        fcntl(fd, F_SETFD, closeOnExec ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC);
    }

    /** Whether FD_CLOEXEC is set on an fd (for tests and diagnostics). */
    boolean isCloseOnExec(int fd) throws PosixException {
        return (fcntl(fd, F_GETFD, 0) & FD_CLOEXEC) != 0;
    }

    private int fcntl(int fd, int cmd, int arg) throws PosixException {
        int rc = libc.fcntl(fd, cmd, arg);
        if (rc == -1) {
            throw error("fcntl(" + fd + ", " + cmd + ")", runtime.getLastError());
        }
        return rc;
    }

    @Override
    public void resetSignalToDefault(int signal) throws PosixException {
        setDisposition(signal, SIG_DFL);
    }

    /** sigaction with a zeroed struct: no flags, empty mask; handler is SIG_DFL or SIG_IGN, never a callback. */
    void setDisposition(int signal, long handler) throws PosixException {
        Pointer act = Memory.allocateDirect(runtime, SIGACTION_SIZE, true);
        act.putAddress(0, handler);
        if (libc.sigaction(signal, act, null) != 0) {
            throw error("sigaction(SIG" + Signals.name(signal) + ")", runtime.getLastError());
        }
    }

    @Override
    public void unblockSignal(int signal) throws PosixException {
        Pointer set = Memory.allocateDirect(runtime, SIGSET_SIZE, true);
        libc.sigemptyset(set);
        if (libc.sigaddset(set, signal) != 0) {
            throw error("sigaddset(" + signal + ")", runtime.getLastError());
        }
        check("pthread_sigmask(SIG_UNBLOCK, SIG" + Signals.name(signal) + ")", libc.pthread_sigmask(SIG_UNBLOCK, set, null));
    }

    @Override
    public void blockSignal(int signal) throws PosixException {
        Pointer set = Memory.allocateDirect(runtime, SIGSET_SIZE, true);
        libc.sigemptyset(set);
        if (libc.sigaddset(set, signal) != 0) {
            throw error("sigaddset(" + signal + ")", runtime.getLastError());
        }
        check("pthread_sigmask(SIG_BLOCK, SIG" + Signals.name(signal) + ")", libc.pthread_sigmask(SIG_BLOCK, set, null));
    }

    @Override
    public void execve(String path, List<String> argv, Map<String, String> env) throws PosixException {
        String[] args = argv.toArray(new String[argv.size() + 1]);
        String[] envp = new String[env.size() + 1];
        int i = 0;
        for (Map.Entry<String, String> e : env.entrySet()) envp[i++] = e.getKey() + "=" + e.getValue();
        libc.execve(path, args, envp);
        throw error("execve(" + path + ")", runtime.getLastError());
    }

    @Override
    public int memfdWith(byte[] content) throws PosixException {
        int fd = libc.memfd_create("einhorn-state", 0); // no MFD_CLOEXEC: the new image reads it
        if (fd < 0) throw error("memfd_create", runtime.getLastError());
        int off = 0;
        while (off < content.length) {
            byte[] chunk = off == 0 ? content : java.util.Arrays.copyOfRange(content, off, content.length);
            long n = libc.write(fd, chunk, chunk.length);
            if (n < 0) {
                int errno = runtime.getLastError();
                libc.close(fd);
                throw error("write(memfd)", errno);
            }
            off += (int) n;
        }
        if (libc.lseek(fd, 0, 0) < 0) {
            int errno = runtime.getLastError();
            libc.close(fd);
            throw error("lseek(memfd)", errno);
        }
        return fd;
    }

    @Override
    public byte[] readToEndAndClose(int fd) throws PosixException {
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[64 * 1024];
            while (true) {
                long n = libc.read(fd, buf, buf.length);
                if (n < 0) throw error("read(" + fd + ")", runtime.getLastError());
                if (n == 0) return out.toByteArray();
                out.write(buf, 0, (int) n);
            }
        } finally {
            libc.close(fd);
        }
    }

    @Override
    public int[] pipe() throws PosixException {
        int[] fds = new int[2];
        if (libc.pipe(fds) != 0) throw error("pipe", runtime.getLastError());
        return fds;
    }

    @Override
    public boolean writeFully(int fd, byte[] data) {
        int off = 0;
        while (off < data.length) {
            byte[] chunk = off == 0 ? data : java.util.Arrays.copyOfRange(data, off, data.length);
            long n = libc.write(fd, chunk, chunk.length);
            if (n < 0) {
                if (runtime.getLastError() == Errno.EINTR.intValue()) continue;
                return false;
            }
            off += (int) n;
        }
        return true;
    }

    @Override
    public void close(int fd) {
        libc.close(fd);
    }

    /** For calls that return an error number instead of setting errno (posix_spawn*, pthread_*). */
    private void check(String call, int rc) throws PosixException {
        if (rc != 0) {
            throw error(call, rc);
        }
    }

    private PosixException error(String call, int errno) {
        Errno e = Errno.valueOf(errno);
        String name = e == Errno.__UNKNOWN_CONSTANT__ ? "errno " + errno : e.name();
        return new PosixException(call, errno, libc.strerror(errno) + " (" + name + ")");
    }
}
