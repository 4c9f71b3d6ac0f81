package dev.einhorn.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.einhorn.config.OwnedVariables;
import dev.einhorn.pool.FakeHost;
import dev.einhorn.pool.Pool;
import dev.einhorn.pool.PoolSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SystemdNotifyTest {
    /** The datagrams sent to systemd, in order. */
    private final List<String> sent = new ArrayList<>();

    /** The lifecycle lines of the datagrams (their first lines, less STATUS= and WATCHDOG=). */
    private List<String> lifecycle() {
        return sent.stream().map(s -> s.lines().findFirst().orElse(""))
                .filter(l -> !l.startsWith("STATUS=") && !l.startsWith("WATCHDOG=")).toList();
    }

    private final FakeHost world = new FakeHost();
    private final Pool pool = new Pool(new PoolSettings(true, 1.0, 1.0, 4, null, null, "USR2", null), 2, world, world);

    private SystemdNotify notifier(Double watchdog) {
        return new SystemdNotify("@test", 42, watchdog, (addr, msg) -> sent.add(msg), world);
    }

    private void tick(Pool p, SystemdNotify n) {
        p.tick();
        n.afterTick(p);
    }

    private void ackAll(Pool p) {
        for (int pid = 100; pid < world.nextPid; pid++) {
            if (p.worker(pid) != null && !p.worker(pid).acked()) p.manualAck(pid);
        }
    }

    @Test
    void readyOnceTheFirstGenerationAckedThenReloadingAndReadyAroundAnUpgradeThenStopping() {
        SystemdNotify n = notifier(null);
        tick(pool, n);
        assertEquals(List.of("STATUS=0/2 workers acked, version 0"), sent);
        pool.manualAck(100);
        tick(pool, n);
        assertEquals(List.of(), lifecycle(), "not ready with 1 of 2");
        pool.manualAck(101);
        tick(pool, n);
        assertEquals("READY=1\nMAINPID=42\nSTATUS=2/2 workers acked, version 0", sent.get(sent.size() - 1));
        int before = sent.size();
        tick(pool, n);
        assertEquals(before, sent.size(), "nothing changed, nothing sent");

        pool.upgrade(true);
        tick(pool, n);
        String reloading = sent.get(sent.size() - 1);
        assertTrue(reloading.startsWith("RELOADING=1\nMONOTONIC_USEC="), reloading);
        assertTrue(reloading.endsWith("STATUS=0/2 workers acked, version 1, upgrading"), reloading);
        pool.upgrade(true); // restarting an upgrade is still the same reload
        tick(pool, n);
        for (int i = 0; i < 5 && pool.upgrading(); i++) {
            world.now += 2;
            ackAll(pool);
            tick(pool, n);
        }
        assertEquals(1, pool.upgradesCompleted());
        pool.stop("USR2");
        tick(pool, n);
        assertEquals(List.of("READY=1", "RELOADING=1", "READY=1", "STOPPING=1"), lifecycle(),
                sent.toString());
        assertTrue(sent.get(sent.size() - 1).contains(", stopping"));
    }

    @Test
    void aFailedUpgradeEndsWithReadyToo() {
        Pool one = new Pool(new PoolSettings(true, 1.0, 1.0, 4, null, null, "USR2", 5.0), 1, world, world);
        SystemdNotify n = notifier(null);
        one.tick();
        one.manualAck(100);
        tick(one, n);
        one.upgrade(true);
        tick(one, n);
        world.now += 6;
        tick(one, n);
        assertEquals(1, one.upgradesFailed());
        assertEquals(List.of("READY=1", "RELOADING=1", "READY=1"), lifecycle());
    }

    @Test
    void watchdogPingsEveryHalfIntervalAndIsALoopDeadline() {
        SystemdNotify n = notifier(0.5);
        assertEquals(1000.0, n.nextDeadline());
        tick(pool, n);
        assertTrue(sent.contains("WATCHDOG=1"));
        assertEquals(1000.5, n.nextDeadline());
        sent.clear();
        world.now = 1000.4;
        tick(pool, n);
        assertTrue(!sent.contains("WATCHDOG=1"));
        world.now = 1000.5;
        tick(pool, n);
        assertTrue(sent.contains("WATCHDOG=1"));
        assertEquals(Double.POSITIVE_INFINITY, notifier(null).nextDeadline());
    }

    @Test
    void environment() {
        assertEquals(1.5, SystemdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "3000000"), 7));
        assertEquals(1.5, SystemdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "3000000", "WATCHDOG_PID", "7"), 7));
        assertNull(SystemdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "3000000", "WATCHDOG_PID", "8"), 7));
        assertNull(SystemdNotify.watchdogInterval(Map.of(), 7));
        SystemdNotify off = SystemdNotify.fromEnvironment(Map.of(), 7);
        off.afterTick(pool);
        assertEquals(Double.POSITIVE_INFINITY, off.nextDeadline());
    }

    @Test
    void listenFdsAreOursOnlyForOurPid() throws Exception {
        assertEquals(List.of(new SystemdActivation.Passed(3, "web"), new SystemdActivation.Passed(4, "unknown")),
                SystemdActivation.passed(Map.of("LISTEN_FDS", "2", "LISTEN_PID", "9", "LISTEN_FDNAMES", "web:"), 9));
        assertEquals(List.of(new SystemdActivation.Passed(3, "unknown")),
                SystemdActivation.passed(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "9"), 9));
        assertEquals(List.of(), SystemdActivation.passed(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "10"), 9));
        assertEquals(List.of(), SystemdActivation.passed(Map.of("LISTEN_FDS", "1"), 9));
        assertEquals(List.of(), SystemdActivation.passed(Map.of(), 9));
        assertTrue(SystemdActivation.hiddenFromWorkers("LISTEN_FDS"));
        assertTrue(SystemdActivation.hiddenFromWorkers("NOTIFY_SOCKET"));
        assertEquals(Map.of("PATH", "/bin"), OwnedVariables.passedOn(Map.of("PATH", "/bin", "LISTEN_PID", "1",
                "EINHORN_FD_0", "3", "WATCHDOG_USEC", "5")));
    }
}
