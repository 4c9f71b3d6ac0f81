package dev.einhorn.posix;

import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * The glibc calls {@link JnrPosix} binds. Public only because jnr-ffi generates the implementation
 * in its own class loader; nothing outside this package should use it.
 * Opaque structs (posix_spawnattr_t, posix_spawn_file_actions_t, sigset_t, struct sigaction) are
 * passed as raw memory so we never depend on jnr-posix's incomplete spawn support.
 */
public interface LibC {
    int getpid();

    int posix_spawnp(IntByReference pid, String file, Pointer fileActions, Pointer attr, String[] argv, String[] envp);

    int posix_spawnattr_init(Pointer attr);

    int posix_spawnattr_destroy(Pointer attr);

    int posix_spawnattr_setflags(Pointer attr, short flags);

    int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

    int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

    int posix_spawnattr_setpgroup(Pointer attr, int pgroup);

    int posix_spawn_file_actions_init(Pointer actions);

    int posix_spawn_file_actions_destroy(Pointer actions);

    int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newfd);

    int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

    int sigemptyset(Pointer set);

    int sigaddset(Pointer set, int signal);

    int sigaction(int signal, Pointer act, Pointer oldact);

    int pthread_sigmask(int how, Pointer set, Pointer oldset);

    int waitpid(int pid, IntByReference status, int options);

    int kill(int pid, int signal);

    int fcntl(int fd, int cmd, int arg);

    String strerror(int errno);

    int execve(String path, String[] argv, String[] envp);

    int memfd_create(String name, int flags);

    long write(int fd, byte[] buf, long count);

    long read(int fd, byte[] buf, long count);

    long lseek(int fd, long offset, int whence);

    int close(int fd);

    int pipe(int[] fds);
}
