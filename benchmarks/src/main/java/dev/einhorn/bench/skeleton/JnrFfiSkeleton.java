package dev.einhorn.bench.skeleton;

import java.nio.channels.Selector;
import java.nio.file.Path;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;

/**
 * {@link SkeletonIo} plus the same libc calls as {@link JffiSkeleton} through a narrow jnr-ffi interface binding
 * (run with {@code -Djnr.ffi.asm.enabled=false}, jnr-ffi's lightest mode: reflection, no generated classes).
 */
public final class JnrFfiSkeleton {
    private JnrFfiSkeleton() {
    }

    /** The calls bound; public because jnr-ffi implements it from its own class loader. */
    public interface LibC {
        int getpid();

        int kill(int pid, int signal);

        int fcntl(int fd, int cmd, int arg);

        int posix_spawnattr_init(Pointer attr);

        int posix_spawn_file_actions_init(Pointer actions);

        int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newfd);

        int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

        int posix_spawnp(IntByReference pid, String file, Pointer actions, Pointer attr, String[] argv, String[] envp);

        int waitpid(int pid, IntByReference status, int options);
    }

    public static void main(String[] args) throws Exception {
        LibC libc = LibraryLoader.create(LibC.class).load("c");
        Runtime runtime = Runtime.getRuntime(libc);
        int pid = libc.getpid();
        libc.kill(pid, 0);
        Selector selector = SkeletonIo.listen(Path.of(args[0]));
        libc.fcntl(0, 1, 0); // F_GETFD
        int[] children = new int[SkeletonIo.CHILDREN];
        String[] argv = SkeletonIo.CHILD_ARGV.toArray(new String[0]);
        List<String> env = SkeletonIo.environment();
        for (int k = 0; k < children.length; k++) {
            Pointer attr = Memory.allocateDirect(runtime, 512, true), actions = Memory.allocateDirect(runtime, 512, true);
            libc.posix_spawnattr_init(attr);
            libc.posix_spawn_file_actions_init(actions);
            libc.posix_spawn_file_actions_adddup2(actions, 2, 3);
            libc.posix_spawn_file_actions_addclosefrom_np(actions, 4);
            IntByReference child = new IntByReference();
            int rc = libc.posix_spawnp(child, argv[0], actions, attr, argv, env.toArray(new String[0]));
            if (rc != 0) throw new IllegalStateException("posix_spawnp: " + rc);
            children[k] = child.intValue();
        }
        libc.waitpid(-1, new IntByReference(), 1); // WNOHANG
        SkeletonIo.upThenIdle(args[1], selector, new Runnable() {
            @Override
            public void run() {
                for (int c : children) libc.kill(c, 9);
            }
        });
    }
}
