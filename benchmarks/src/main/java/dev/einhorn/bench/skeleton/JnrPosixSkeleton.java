package dev.einhorn.bench.skeleton;

import java.nio.channels.Selector;
import java.nio.file.Path;
import java.util.List;
import jnr.constants.platform.Fcntl;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * {@link SkeletonIo} plus the same libc calls as {@link JffiSkeleton} through jnr-posix's own API
 * ({@code POSIXFactory.getNativePOSIX()}; run with {@code -Djnr.ffi.asm.enabled=false} like the others).
 */
public final class JnrPosixSkeleton {
    private JnrPosixSkeleton() {
    }

    public static void main(String[] args) throws Exception {
        POSIX posix = POSIXFactory.getNativePOSIX();
        int pid = posix.getpid();
        posix.kill(pid, 0);
        Selector selector = SkeletonIo.listen(Path.of(args[0]));
        posix.fcntl(0, Fcntl.F_GETFD);
        long[] children = new long[SkeletonIo.CHILDREN];
        List<String> env = SkeletonIo.environment();
        for (int k = 0; k < children.length; k++) {
            children[k] = posix.posix_spawnp(SkeletonIo.CHILD_ARGV.get(0), List.of(), SkeletonIo.CHILD_ARGV, env);
            if (children[k] <= 0) throw new IllegalStateException("posix_spawnp: " + posix.errno());
        }
        posix.waitpid(-1, new int[1], 1); // WNOHANG
        SkeletonIo.upThenIdle(args[1], selector, new Runnable() {
            @Override
            public void run() {
                for (long c : children) posix.kill((int) c, 9);
            }
        });
    }
}
