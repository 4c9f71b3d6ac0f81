package dev.einhorn.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The environment variables a worker must not inherit from the master's environment (README, "Worker
 * environment"): those Einhorn sets for each worker (a value from an outer einhorn would be stale; ours replaces
 * it, or, like EINHORN_SOCK_FD without -g, must be absent), and systemd's, which are for the master alone. Every
 * other variable is passed through, a user's own {@code EINHORN_ENV} or {@code EINHORN_JVM_OPTS} included, as Ruby
 * Einhorn does.
 */
public final class OwnedVariables {
    private OwnedVariables() {}

    /** Set per worker by Einhorn (EINHORN_FDS: 0.8.2's deprecated list) or by us (EINHORN_GRACEFUL_SIGNAL). */
    private static final Set<String> EINHORN = Set.of("EINHORN_MASTER_PID", "EINHORN_SOCK_PATH", "EINHORN_SOCK_FD",
            "EINHORN_FD_COUNT", "EINHORN_FDS", "EINHORN_CHILD_INDEX", "EINHORN_GRACEFUL_SIGNAL");
    /** EINHORN_FD_0, EINHORN_FD_1, ... and EINHORN_FD_FAMILY_0, ... */
    private static final Pattern EINHORN_FD = Pattern.compile("EINHORN_FD_(FAMILY_)?[0-9]+");
    /** systemd's socket-activation and notification protocols. */
    public static final Set<String> SYSTEMD = Set.of("LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET",
            "WATCHDOG_USEC", "WATCHDOG_PID");

    /** True for a variable the master's environment must not pass on to a worker. */
    public static boolean owned(String name) {
        return EINHORN.contains(name) || SYSTEMD.contains(name) || EINHORN_FD.matcher(name).matches();
    }

    /** {@code env} less the owned variables, in its order. */
    public static Map<String, String> passedOn(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        env.forEach((k, v) -> {
            if (!owned(k)) out.put(k, v);
        });
        return out;
    }
}
