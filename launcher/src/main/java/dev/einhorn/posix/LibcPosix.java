package dev.einhorn.posix;

import static com.kenai.jffi.Type.POINTER;
import static com.kenai.jffi.Type.SINT;
import static com.kenai.jffi.Type.SLONG;
import static com.kenai.jffi.Type.SSHORT;
import static com.kenai.jffi.Type.UINT;
import static com.kenai.jffi.Type.ULONG;

import java.nio.channels.Channel;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link Posix} on Linux glibc (2.34+ for {@code posix_spawn_file_actions_addclosefrom_np}), x86_64 or aarch64,
 * each call a {@link NativeFunction} over jffi. Opaque glibc structs (posix_spawnattr_t,
 * posix_spawn_file_actions_t, sigset_t, struct sigaction) are raw {@link NativeMemory}, freed when the call
 * returns. Thread-safe: no shared mutable state besides libc itself.
 */
public final class LibcPosix implements Posix {
    private static final int ESRCH = 3, EINTR = 4, ECHILD = 10, EAGAIN = 11;
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

    private static final NativeFunction
            GETPID = NativeFunction.libc("getpid", SINT),
            POSIX_SPAWNP = NativeFunction.libc("posix_spawnp", SINT, POINTER, POINTER, POINTER, POINTER, POINTER, POINTER),
            SPAWNATTR_INIT = NativeFunction.libc("posix_spawnattr_init", SINT, POINTER),
            SPAWNATTR_DESTROY = NativeFunction.libc("posix_spawnattr_destroy", SINT, POINTER),
            SPAWNATTR_SETFLAGS = NativeFunction.libc("posix_spawnattr_setflags", SINT, POINTER, SSHORT),
            SPAWNATTR_SETSIGDEFAULT = NativeFunction.libc("posix_spawnattr_setsigdefault", SINT, POINTER, POINTER),
            SPAWNATTR_SETSIGMASK = NativeFunction.libc("posix_spawnattr_setsigmask", SINT, POINTER, POINTER),
            SPAWNATTR_SETPGROUP = NativeFunction.libc("posix_spawnattr_setpgroup", SINT, POINTER, SINT),
            FILE_ACTIONS_INIT = NativeFunction.libc("posix_spawn_file_actions_init", SINT, POINTER),
            FILE_ACTIONS_DESTROY = NativeFunction.libc("posix_spawn_file_actions_destroy", SINT, POINTER),
            FILE_ACTIONS_ADDDUP2 = NativeFunction.libc("posix_spawn_file_actions_adddup2", SINT, POINTER, SINT, SINT),
            FILE_ACTIONS_ADDCLOSEFROM = NativeFunction.libc("posix_spawn_file_actions_addclosefrom_np", SINT, POINTER, SINT),
            SIGEMPTYSET = NativeFunction.libc("sigemptyset", SINT, POINTER),
            SIGADDSET = NativeFunction.libc("sigaddset", SINT, POINTER, SINT),
            SIGACTION = NativeFunction.libc("sigaction", SINT, SINT, POINTER, POINTER),
            PTHREAD_SIGMASK = NativeFunction.libc("pthread_sigmask", SINT, SINT, POINTER, POINTER),
            WAITPID = NativeFunction.libc("waitpid", SINT, SINT, POINTER, SINT),
            KILL = NativeFunction.libc("kill", SINT, SINT, SINT),
            FCNTL = NativeFunction.libc("fcntl", SINT, SINT, SINT, SINT),
            EXECVE = NativeFunction.libc("execve", SINT, POINTER, POINTER, POINTER),
            MEMFD_CREATE = NativeFunction.libc("memfd_create", SINT, POINTER, UINT),
            WRITE = NativeFunction.libc("write", SLONG, SINT, POINTER, ULONG),
            READ = NativeFunction.libc("read", SLONG, SINT, POINTER, ULONG),
            LSEEK = NativeFunction.libc("lseek", SLONG, SINT, SLONG, SINT),
            CLOSE = NativeFunction.libc("close", SINT, SINT),
            PIPE = NativeFunction.libc("pipe", SINT, POINTER),
            SETPRIORITY = NativeFunction.libc("setpriority", SINT, SINT, SINT, SINT);

    @Override
    public int getpid() {
        return GETPID.invokeInt();
    }

    @Override
    public int spawn(SpawnRequest request) throws PosixException {
        List<Integer> fds = request.inheritFds();
        for (int fd : fds) {
            if (fd < 0) {
                throw new IllegalArgumentException("negative fd " + fd + " in " + fds);
            }
        }
        int[] temps = temporaries(fds);
        try (NativeMemory memory = new NativeMemory()) {
            long attr = memory.zeroed(OPAQUE_SIZE);
            long actions = memory.zeroed(OPAQUE_SIZE);
            check("posix_spawnattr_init", SPAWNATTR_INIT.invokeInt(attr));
            try {
                check("posix_spawn_file_actions_init", FILE_ACTIONS_INIT.invokeInt(actions));
                try {
                    setAttributes(memory, attr);
                    for (int i = 0; i < fds.size(); i++) {
                        check("posix_spawn_file_actions_adddup2", FILE_ACTIONS_ADDDUP2.invokeInt(actions, fds.get(i), temps[i]));
                    }
                    // dup2 onto a different fd number leaves FD_CLOEXEC clear on the target.
                    for (int i = 0; i < fds.size(); i++) {
                        check("posix_spawn_file_actions_adddup2",
                                FILE_ACTIONS_ADDDUP2.invokeInt(actions, temps[i], SpawnRequest.childFd(i)));
                    }
                    check("posix_spawn_file_actions_addclosefrom_np",
                            FILE_ACTIONS_ADDCLOSEFROM.invokeInt(actions, SpawnRequest.childFd(fds.size())));
                    long pid = memory.zeroed(4);
                    int rc = POSIX_SPAWNP.invokeInt(pid, memory.cString(request.program()), actions, attr,
                            memory.cStrings(request.argv()), memory.cStrings(envp(request.env())));
                    if (rc != 0) {
                        throw error("posix_spawnp(" + request.program() + ")", rc);
                    }
                    return NativeMemory.getInt(pid);
                } finally {
                    FILE_ACTIONS_DESTROY.invoke(actions);
                }
            } finally {
                SPAWNATTR_DESTROY.invoke(attr);
            }
        }
    }

    /**
     * The fds the sources go through on their way to 3, 4, ...: so that no dup2 clobbers a source that a later
     * one still needs (sources 4,3 going to 3,4), every temporary is above the targets and is no source. They are
     * the lowest such numbers, not numbers above the highest source: a source at the top of the fd table
     * (RLIMIT_NOFILE - 1, a -g connection when the table is almost full) leaves no room above it, and glibc refuses
     * a dup2 target at or over the limit (EBADF). In the child, whatever a temporary overwrites is at or above the
     * first fd that closefrom closes, so it is lost anyway.
     */
    static int[] temporaries(List<Integer> sources) {
        java.util.Set<Integer> taken = new java.util.HashSet<>(sources);
        int[] temps = new int[sources.size()];
        int next = SpawnRequest.childFd(sources.size());
        for (int i = 0; i < temps.length; i++) {
            while (taken.contains(next)) next++;
            temps[i] = next++;
        }
        return temps;
    }

    /**
     * Own process group; every signal at SIG_DFL; empty mask. The default set is all ones, not
     * sigfillset(): glibc's sigfillset leaves out its internal signals 32 and 33, and posix_spawn
     * then sets those to SIG_IGN in the child (measured: SigIgn 0x180000000).
     */
    private static void setAttributes(NativeMemory memory, long attr) throws PosixException {
        long all = memory.filled(SIGSET_SIZE, (byte) 0xff);
        long none = memory.zeroed(SIGSET_SIZE);
        SIGEMPTYSET.invoke(none);
        check("posix_spawnattr_setflags", SPAWNATTR_SETFLAGS.invokeInt(attr,
                POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK));
        check("posix_spawnattr_setpgroup", SPAWNATTR_SETPGROUP.invokeInt(attr, 0));
        check("posix_spawnattr_setsigdefault", SPAWNATTR_SETSIGDEFAULT.invokeInt(attr, all));
        check("posix_spawnattr_setsigmask", SPAWNATTR_SETSIGMASK.invokeInt(attr, none));
    }

    /** The environment as {@code KEY=value} strings, sorted by key. */
    private static List<String> envp(Map<String, String> env) {
        return env.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).toList();
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
        try (NativeMemory memory = new NativeMemory()) {
            long status = memory.zeroed(4);
            while (true) {
                int rc = WAITPID.invokeInt(pid, status, WNOHANG);
                if (rc > 0) {
                    return Optional.of(decode(rc, NativeMemory.getInt(status)));
                }
                if (rc == 0) {
                    return Optional.empty();
                }
                int errno = NativeFunction.lastErrno();
                if (errno == ECHILD) {
                    return pid > 0 ? Optional.of(ExitStatus.unknown(pid)) : Optional.empty();
                }
                if (errno != EINTR) {
                    PosixException e = error("waitpid(" + pid + ")", errno);
                    throw new IllegalStateException(e.getMessage(), e);
                }
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
        if (KILL.invokeInt(pid, signal) == 0) {
            return true;
        }
        int errno = NativeFunction.lastErrno();
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
        int rc = FCNTL.invokeInt(fd, cmd, arg);
        if (rc == -1) {
            throw error("fcntl(" + fd + ", " + cmd + ")", NativeFunction.lastErrno());
        }
        return rc;
    }

    @Override
    public void resetSignalToDefault(int signal) throws PosixException {
        setDisposition(signal, SIG_DFL);
    }

    /** sigaction with a zeroed struct: no flags, empty mask; handler is SIG_DFL or SIG_IGN, never a callback. */
    void setDisposition(int signal, long handler) throws PosixException {
        try (NativeMemory memory = new NativeMemory()) {
            long act = memory.zeroed(SIGACTION_SIZE);
            NativeMemory.putAddress(act, handler);
            if (SIGACTION.invokeInt(signal, act, 0L) != 0) {
                throw error("sigaction(SIG" + Signals.name(signal) + ")", NativeFunction.lastErrno());
            }
        }
    }

    @Override
    public void unblockSignal(int signal) throws PosixException {
        changeMask(SIG_UNBLOCK, "SIG_UNBLOCK", signal);
    }

    /** pthread_sigmask(how) of a set holding only {@code signal}. */
    private static void changeMask(int how, String howName, int signal) throws PosixException {
        try (NativeMemory memory = new NativeMemory()) {
            long set = memory.zeroed(SIGSET_SIZE);
            SIGEMPTYSET.invoke(set);
            if (SIGADDSET.invokeInt(set, signal) != 0) {
                throw error("sigaddset(" + signal + ")", NativeFunction.lastErrno());
            }
            check("pthread_sigmask(" + howName + ", SIG" + Signals.name(signal) + ")",
                    PTHREAD_SIGMASK.invokeInt(how, set, 0L));
        }
    }

    @Override
    public void ignoreSignal(int signal) throws PosixException {
        setDisposition(signal, SIG_IGN);
    }

    @Override
    public void blockSignal(int signal) throws PosixException {
        changeMask(SIG_BLOCK, "SIG_BLOCK", signal);
    }

    @Override
    public void execve(String path, List<String> argv, Map<String, String> env) throws PosixException {
        try (NativeMemory memory = new NativeMemory()) {
            EXECVE.invoke(memory.cString(path), memory.cStrings(argv), memory.cStrings(envp(env)));
            throw error("execve(" + path + ")", NativeFunction.lastErrno());
        }
    }

    @Override
    public int memfdWith(byte[] content) throws PosixException {
        int fd;
        try (NativeMemory memory = new NativeMemory()) {
            fd = MEMFD_CREATE.invokeInt(memory.cString("einhorn-state"), 0); // no MFD_CLOEXEC: the new image reads it
        }
        if (fd < 0) throw error("memfd_create", NativeFunction.lastErrno());
        try (NativeMemory memory = new NativeMemory()) {
            int errno = writeAll(fd, memory.copyOf(content, 0, content.length), content.length);
            if (errno != 0) {
                CLOSE.invoke(fd);
                throw error("write(memfd)", errno);
            }
        }
        if (LSEEK.invoke(fd, 0, 0) < 0) {
            int errno = NativeFunction.lastErrno();
            CLOSE.invoke(fd);
            throw error("lseek(memfd)", errno);
        }
        return fd;
    }

    @Override
    public byte[] readToEndAndClose(int fd) throws PosixException {
        try (NativeMemory memory = new NativeMemory()) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int size = 64 * 1024;
            long buf = memory.zeroed(size);
            byte[] chunk = new byte[size];
            while (true) {
                long n = READ.invoke(fd, buf, size);
                if (n < 0) throw error("read(" + fd + ")", NativeFunction.lastErrno());
                if (n == 0) return out.toByteArray();
                NativeMemory.getBytes(buf, chunk, 0, (int) n);
                out.write(chunk, 0, (int) n);
            }
        } finally {
            CLOSE.invoke(fd);
        }
    }

    @Override
    public void setNice(int pid, int nice) throws PosixException {
        if (SETPRIORITY.invokeInt(0, pid, nice) != 0) {
            throw error("setpriority(" + pid + ", " + nice + ")", NativeFunction.lastErrno());
        }
    }

    @Override
    public int[] pipe() throws PosixException {
        try (NativeMemory memory = new NativeMemory()) {
            long fds = memory.zeroed(8);
            if (PIPE.invokeInt(fds) != 0) throw error("pipe", NativeFunction.lastErrno());
            return new int[] {NativeMemory.getInt(fds), NativeMemory.getInt(fds + 4)};
        }
    }

    @Override
    public boolean writeFully(int fd, byte[] data) {
        try (NativeMemory memory = new NativeMemory()) {
            return writeAll(fd, memory.copyOf(data, 0, data.length), data.length) == 0;
        }
    }

    /** Writes {@code length} bytes at {@code buf} to {@code fd}, again after EINTR: 0, or the errno that stopped it. */
    private static int writeAll(int fd, long buf, int length) {
        int off = 0;
        while (off < length) {
            long n = WRITE.invoke(fd, buf + off, length - off);
            if (n < 0) {
                int errno = NativeFunction.lastErrno();
                if (errno != EINTR) return errno;
                continue;
            }
            off += (int) n;
        }
        return 0;
    }

    @Override
    public int writeAvailable(int fd, byte[] data, int offset, int length) throws PosixException {
        if (length == 0) return 0;
        try (NativeMemory memory = new NativeMemory()) {
            long buf = memory.copyOf(data, offset, length);
            while (true) {
                long n = WRITE.invoke(fd, buf, length);
                if (n >= 0) return (int) n;
                int errno = NativeFunction.lastErrno();
                if (errno == EAGAIN) return 0;
                if (errno != EINTR) throw error("write(" + fd + ")", errno);
            }
        }
    }

    @Override
    public void close(int fd) {
        CLOSE.invoke(fd);
    }

    /** For calls that return an error number instead of setting errno (posix_spawn*, pthread_*). */
    private static void check(String call, int rc) throws PosixException {
        if (rc != 0) {
            throw error(call, rc);
        }
    }

    private static PosixException error(String call, int errno) {
        return ErrnoText.exception(call, errno);
    }
}
