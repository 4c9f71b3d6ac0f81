package dev.einhorn.posix;

import java.util.List;
import java.util.Map;

/**
 * What to spawn.
 *
 * @param program    the program, resolved on PATH by posix_spawnp when it has no slash
 * @param argv       argv including argv[0]
 * @param env        the child's complete environment
 * @param inheritFds master fds to hand over; the child sees them at 3, 4, ... in this order
 */
public record SpawnRequest(String program, List<String> argv, Map<String, String> env, List<Integer> inheritFds) {
    public SpawnRequest {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
        inheritFds = List.copyOf(inheritFds);
    }

    /** The fd number the i-th inherited fd has in the child. */
    public static int childFd(int i) {
        return 3 + i;
    }
}
