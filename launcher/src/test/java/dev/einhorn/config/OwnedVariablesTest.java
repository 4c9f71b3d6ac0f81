package dev.einhorn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a worker (and the preload training run) inherits of the master's environment. */
class OwnedVariablesTest {
    @Test
    void onlyEinhornsPerWorkerVariablesAndSystemdsAreHeldBack() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String k : new String[] {"PATH", "EINHORN_ENV", "EINHORN_JVM_OPTS", "EINHORN_FD_0", "EINHORN_FD_12",
                "EINHORN_FD_FAMILY_0", "EINHORN_FD_COUNT", "EINHORN_FDS", "EINHORN_SOCK_PATH", "EINHORN_SOCK_FD",
                "EINHORN_MASTER_PID", "EINHORN_CHILD_INDEX", "EINHORN_GRACEFUL_SIGNAL", "EINHORN_FD_X",
                "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"}) {
            env.put(k, "v");
        }
        assertEquals(java.util.List.of("PATH", "EINHORN_ENV", "EINHORN_JVM_OPTS", "EINHORN_FD_X"),
                java.util.List.copyOf(OwnedVariables.passedOn(env).keySet()));
    }
}
