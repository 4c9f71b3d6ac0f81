package dev.einhorn.bench.skeleton;

import java.nio.file.Path;

/** The master's JDK I/O alone ({@link SkeletonIo}): no native call, no child. */
public final class NioSkeleton {
    private NioSkeleton() {
    }

    public static void main(String[] args) throws Exception {
        SkeletonIo.upThenIdle(args[1], SkeletonIo.listen(Path.of(args[0])), null);
    }
}
