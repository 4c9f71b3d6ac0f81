package dev.einhorn.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --standby N: the pool's decisions about warm standbys (docs/DESIGN.md "Warm standbys"), with a fake clock. */
class PoolStandbyTest {
    private final FakeHost host = new FakeHost();

    {
        host.standbysPossible = true;
    }

    private Pool pool(int number, int maxUnacked, int standbys) {
        Pool p = new Pool(new PoolSettings(true, 1.0, 1.0, maxUnacked, null, null, "USR2", null), number, host, host);
        p.setStandbyTarget(standbys);
        return p;
    }

    private void ackAll(Pool pool) {
        for (Worker w : List.copyOf(pool.workers())) {
            if (!w.acked()) pool.manualAck(w.pid());
        }
        pool.tick();
    }

    private List<Integer> liveStandbyPids(Pool pool) {
        return pool.standbys().stream().filter(s -> !s.retired()).map(StandbyProcess::pid).toList();
    }

    /** Starts a pool of {@code number} acked workers and one ready standby; returns the standby's pid. */
    private int poolWithReadyStandby(Pool pool) {
        pool.tick();
        ackAll(pool);
        assertEquals(1, host.standbysSpawned.size(), "a standby once the workers ACKed");
        int standby = host.standbysSpawned.get(0);
        pool.standbyReady(standby);
        return standby;
    }

    @Test
    void standbysWaitUntilTheStartingWorkersLeaveRoomUnderMaxUnacked() {
        Pool pool = pool(2, 2, 1);
        pool.tick();
        assertEquals(List.of(), host.standbysSpawned, "2 unacked workers fill --max-unacked 2");
        pool.manualAck(100);
        pool.tick();
        assertEquals(List.of(102), host.standbysSpawned);
        assertEquals(2, pool.workers().size(), "a standby is not a worker");
        assertTrue(host.messages().contains("===> Launched standby 102 of version 0"));
    }

    @Test
    void aDeadWorkerIsReplacedByTheReadyStandbyWhichKeepsItsPidAndANewStandbyStarts() {
        Pool pool = pool(2, 4, 1);
        int standby = poolWithReadyStandby(pool);
        host.now = 1010;
        pool.exited(100, "killed by SIGKILL");
        pool.tick();
        assertEquals(List.of(List.of(standby, 0)), host.activated, "activated with the dead worker's index");
        assertEquals(2, host.spawned.size(), "no JVM spawned for the replacement");
        Worker w = pool.worker(standby);
        assertTrue(w.activated());
        assertEquals(0, w.index());
        assertEquals(1, pool.activations());
        assertTrue(host.messages().contains("===> Activated standby " + standby + " (index: 0)"));
        assertEquals(2, host.standbysSpawned.size(), "a new standby in the background");
        host.now = 1010.25;
        pool.manualAck(standby);
        assertTrue(host.messages().contains("Activated standby " + standby + " (index: 0) ACKed 250 ms after its activation"));
        assertEquals(1, pool.activationLatency().count());
    }

    @Test
    void withoutAReadyStandbyAReplacementIsSpawnedAsBefore() {
        Pool pool = pool(1, 4, 1);
        pool.tick();
        ackAll(pool); // standby 101 warming, not ready
        host.now = 1010;
        pool.exited(100, "exit status 1");
        pool.tick();
        assertEquals(List.of(), host.activated);
        assertEquals(List.of(100, 102), host.spawnedPids());
    }

    @Test
    void incByThreeWithOneStandbyActivatesItThenSpawnsOrActivatesWhateverIsReady() {
        Pool pool = pool(1, 4, 1);
        int standby = poolWithReadyStandby(pool);
        host.now = 1010;
        pool.setNumber(4);
        pool.tick();
        assertEquals(List.of(List.of(standby, 1)), host.activated);
        int second = host.standbysSpawned.get(1);
        pool.standbyReady(second);
        host.now = 1011;
        pool.tick();
        assertEquals(List.of(standby, 1), host.activated.get(0));
        assertEquals(List.of(second, 2), host.activated.get(1), "the next standby was ready by the next spinup");
        host.now = 1012;
        pool.tick(); // the third standby is still warming: spawn
        assertEquals(4, pool.workers().size());
        assertEquals(List.of(100, host.spawned.get(1).pid()), host.spawnedPids());
        assertEquals(1, liveStandbyPids(pool).size(), "one standby again");
    }

    @Test
    void aSmoothUpgradeWarmsNewStandbysFirstThenSwapsWithThemAndRetiresTheOldOnes() {
        Pool pool = pool(2, 2, 1);
        int old = poolWithReadyStandby(pool);
        host.now = 1010;
        pool.upgrade(true);
        assertTrue(host.pidsSent("TERM").contains(old), "the old version's standby is retired");
        List<Integer> fresh = List.copyOf(host.standbysSpawned.subList(1, host.standbysSpawned.size()));
        assertEquals(2, fresh.size(), "as many new standbys as the upgrade needs, bounded by --max-unacked");
        assertEquals(2, host.spawned.size(), "no worker spawned while the new standbys warm");
        pool.exited(old, "exit status 143");

        pool.standbyReady(fresh.get(0));
        pool.tick();
        assertEquals(List.of(fresh.get(0), 2), host.activated.get(0), "new index beyond the old workers'");
        pool.manualAck(fresh.get(0));
        pool.tick();
        assertEquals(1, host.pidsSent("USR2").size(), "one old worker retired per new ACK");
        pool.standbyReady(fresh.get(1));
        host.now = 1011;
        pool.tick();
        assertEquals(fresh.get(1), host.activated.get(1).get(0));
        pool.manualAck(fresh.get(1));
        pool.tick();
        assertFalse(pool.upgrading());
        assertEquals(2, host.spawned.size(), "the whole upgrade ran on standbys");
        for (int pid : host.pidsSent("USR2")) pool.exited(pid, "exit status 0");
        pool.tick();
        assertTrue(pool.standbys().stream().filter(s -> !s.retired()).allMatch(s -> s.version() == 1));
        assertEquals(1, liveStandbyPids(pool).size(), "back to --standby 1 after the upgrade");
    }

    @Test
    void aStandbyThatDiesIsReplacedWithBackOffAndRepeatedWarmUpFailuresFallBackToSpawning() {
        Pool pool = pool(1, 4, 1);
        pool.tick();
        ackAll(pool);
        int first = host.standbysSpawned.get(0);
        host.now = 1001;
        pool.exited(first, "exit status 1");
        pool.tick();
        assertEquals(1, host.standbysSpawned.size(), "not at once");
        assertEquals(1002.5, pool.nextWakeup(), "back-off: -s 1 x 1.5");
        host.now = 1002.5;
        pool.tick();
        assertEquals(2, host.standbysSpawned.size());
        host.now = 1003;
        pool.exited(host.standbysSpawned.get(1), "exit status 1");
        host.now = 1006;
        pool.tick();
        pool.exited(host.standbysSpawned.get(2), "exit status 1");
        host.now = 1100;
        pool.tick();
        assertTrue(pool.standbysGivenUp());
        assertEquals(3, host.standbysSpawned.size(), "no more standbys after 3 failures in a row");
        assertTrue(host.messages().stream().anyMatch(m -> m.startsWith("Standbys of version 0 keep dying")));
        pool.exited(100, "exit status 1");
        pool.tick();
        assertEquals(2, host.spawned.size(), "workers are spawned as before");
    }

    /**
     * A standby whose warm-up never ends held its place for good: with --standby 1 no other standby ever started.
     * It is retired as a failure at the warm-up limit and replaced (with the back-off); three such in a row give up.
     */
    @Test
    void aStandbyThatNeverWarmsUpIsRetiredAtTheLimitAndReplaced() {
        Pool pool = pool(1, 4, 1);
        pool.tick();
        ackAll(pool);
        int hung = host.standbysSpawned.get(0);
        double start = host.now;
        assertEquals(start + PoolSettings.STANDBY_WARMUP_LIMIT, pool.nextWakeup(), "woken up at the limit");
        host.now = start + PoolSettings.STANDBY_WARMUP_LIMIT - 1;
        pool.tick();
        assertEquals(List.of(hung), liveStandbyPids(pool), "still warming: kept");
        host.now = start + PoolSettings.STANDBY_WARMUP_LIMIT;
        pool.tick();
        assertEquals(List.of(), liveStandbyPids(pool));
        assertTrue(host.signalLines().contains(hung + " TERM"), host.signalLines().toString());
        assertTrue(host.messages().stream().anyMatch(m -> m.startsWith("Standby " + hung + " did not warm up within")),
                host.messages().toString());
        pool.exited(hung, "exit status 143"); // it was retired: not counted twice
        for (int round = 2; round <= 3; round++) { // its replacements hang too: three in a row give up, as dying ones do
            host.now += 10; // past the back-off
            pool.tick();
            assertEquals(round, host.standbysSpawned.size(), "a new standby");
            assertFalse(pool.standbysGivenUp());
            host.now += PoolSettings.STANDBY_WARMUP_LIMIT;
            pool.tick();
            pool.exited(host.standbysSpawned.get(round - 1), "exit status 143");
        }
        assertTrue(pool.standbysGivenUp(), host.messages().toString());
        host.now += 100;
        pool.tick();
        assertEquals(3, host.standbysSpawned.size(), "no more standbys");
    }

    @Test
    void stopRetiresStandbysAndThePoolFinishesOnlyWhenTheyAreGone() {
        Pool pool = pool(1, 4, 1);
        int standby = poolWithReadyStandby(pool);
        pool.stop("USR2");
        assertTrue(host.pidsSent("TERM").contains(standby));
        pool.exited(100, "exit status 0");
        pool.tick();
        assertFalse(pool.isFinished());
        pool.exited(standby, "exit status 143");
        assertTrue(pool.isFinished());
        assertEquals(2, host.standbysSpawned.size() + host.spawned.size(), "nothing started after the stop");
    }

    @Test
    void standbyZeroAndAHostThatCannotStartThemKeepNone() {
        Pool off = pool(1, 4, 0);
        off.tick();
        ackAll(off);
        host.standbysPossible = false;
        Pool impossible = pool(1, 4, 1);
        impossible.tick();
        ackAll(impossible);
        assertEquals(List.of(), host.standbysSpawned);
    }

    @Test
    void standbysAreHandedOverAcrossAReExec() {
        Pool pool = pool(1, 4, 1);
        int standby = poolWithReadyStandby(pool);
        Map<String, Object> snapshot = pool.snapshot();
        Pool next = Pool.restore(snapshot, new PoolSettings(true, 1.0, 1.0, 4, null, null, "USR2", null), host, host);
        next.setStandbyTarget(1);
        next.tick();
        assertEquals(List.of(standby), liveStandbyPids(next));
        assertTrue(next.standbys().iterator().next().ready());
        assertEquals(1, host.standbysSpawned.size(), "the handed-over standby is kept, not replaced");
        next.exited(100, "killed by SIGKILL");
        host.now = 1010;
        next.tick();
        assertEquals(List.of(List.of(standby, 0)), host.activated);
    }
}
