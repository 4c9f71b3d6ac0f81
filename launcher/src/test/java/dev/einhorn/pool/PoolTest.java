package dev.einhorn.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PoolTest {
    private final FakeHost host = new FakeHost();

    private Pool pool(int number, boolean manual) {
        return pool(number, new PoolSettings(manual, 1.0, 1.0, 4, null, null, "USR2", null));
    }

    private Pool pool(int number, PoolSettings settings) {
        return new Pool(settings, number, host, host);
    }

    private void ackAll(Pool pool) {
        for (Worker w : List.copyOf(pool.workers())) {
            if (!w.acked()) pool.manualAck(w.pid());
        }
        pool.tick();
    }

    @Test
    void launchesAllWorkersAtOnceAtStartWithDistinctIndexes() {
        Pool pool = pool(3, true);
        pool.tick();
        assertEquals(List.of(0, 1, 2), host.spawned.stream().map(FakeHost.Spawned::index).toList());
        assertTrue(host.messages().contains("Launching 3 new workers"));
        assertTrue(host.messages().contains("===> Launched 100 (index: 0)"));
    }

    @Test
    void timerAckArrivesAfterTheTimeoutAndThePoolAsksToBeWokenForIt() {
        Pool pool = pool(1, false);
        pool.tick();
        assertEquals(1001.0, pool.nextWakeup());
        host.now = 1000.5;
        pool.tick();
        assertEquals(0, pool.ackCount());
        host.now = 1001;
        pool.tick();
        assertEquals(1, pool.ackCount());
        assertTrue(host.messages().contains("Up to 1 / 1 timer ACKs"));
        assertEquals(Double.POSITIVE_INFINITY, pool.nextWakeup(), "nothing left to wait for");
    }

    @Test
    void manualAcksAreCountedOnceAndIgnoredInTimerMode() {
        Pool pool = pool(2, true);
        pool.tick();
        pool.manualAck(100);
        pool.manualAck(100);
        pool.manualAck(999);
        assertEquals(1, pool.ackCount());
        assertTrue(host.messages().contains("Received a manual ACK from 100"));
        assertTrue(host.messages().contains("Up to 1 / 2 manual ACKs"));
        assertTrue(host.messages().contains("Pid 100 already ACKed; ignoring new ACK."));
        assertTrue(host.messages().contains("Could not find state for PID 999; ignoring ACK."));

        Pool timer = pool(1, false);
        timer.tick();
        timer.manualAck(102);
        assertEquals(0, timer.ackCount());
        assertTrue(host.messages().contains(
                "Received a manual ACK for 102, but ack_mode is {:type=>:timer, :timeout=>1}. Ignoring ACK."));
    }

    @Test
    void aDeadWorkerIsReplacedAfterTheRespawnInterval() {
        Pool pool = pool(2, true);
        pool.tick();
        ackAll(pool);
        host.now = 1005;
        assertTrue(pool.exited(100, "killed by SIGKILL"));
        pool.tick();
        assertEquals(3, host.spawned.size(), "last spinup long ago: replaced at once");
        assertEquals(0, host.spawned.get(2).index(), "the freed index is reused");
        assertTrue(host.messages().contains("===> Exited worker 100 (killed by SIGKILL)"));
        assertEquals(1, pool.respawns());
    }

    @Test
    void crashLoopBacksOffByHalfAgainEachDeathUpToThirtySecondsAndSleepsInBetween() {
        Pool pool = pool(1, true);
        pool.tick();
        double spawnedAt = host.now;
        double interval = 0;
        for (int death = 1; death <= 12; death++) {
            int before = host.spawned.size();
            pool.exited(host.spawned.get(before - 1).pid(), "exit status 1");
            pool.tick();
            interval = Math.min(Math.pow(1.5, death), 30.0);
            double due = pool.nextWakeup();
            assertEquals(interval, due - spawnedAt, 1e-9, "interval after " + death + " deaths");
            host.now = due - 0.01;
            pool.tick();
            assertEquals(before, host.spawned.size(), "nothing starts before the interval is over");
            host.now = due;
            pool.tick();
            assertEquals(before + 1, host.spawned.size());
            spawnedAt = host.now;
        }
        assertEquals(30.0, interval);
        assertTrue(host.messages().stream()
                .anyMatch(m -> m.endsWith("(there have been 12 consecutive unacked worker deaths)")));
    }

    @Test
    void anAckBreaksTheStreakAndResetsTheInterval() {
        Pool pool = pool(1, true);
        pool.tick();
        pool.exited(100, "exit status 1");
        host.now += 2;
        pool.tick();
        pool.manualAck(101);
        assertTrue(host.messages().contains("Up to 1 / 1 manual ACKs, breaking the streak of 1 consecutive unacked workers dying"));
        assertEquals(0, pool.consecutiveDeathsBeforeAck());
    }

    @Test
    void maxUnackedPausesSpinupWithoutArmingATimer() {
        Pool pool = pool(1, new PoolSettings(true, 1, 1, 1, null, null, "USR2", null));
        pool.tick();
        pool.setNumber(3);
        host.now += 10;
        pool.tick();
        assertEquals(1, host.spawned.size(), "one unacked worker already, max_unacked 1");
        assertEquals(Double.POSITIVE_INFINITY, pool.nextWakeup(), "the ACK will wake us, not a timer");
        pool.manualAck(100);
        pool.tick();
        assertEquals(2, host.spawned.size());
    }

    @Test
    void scalingDownSignalsUnackedWorkersFirstThenTheOldest() {
        Pool pool = pool(4, true);
        pool.tick();
        pool.manualAck(100);
        pool.manualAck(101);
        pool.manualAck(103);
        pool.setNumber(2);
        pool.tick();
        assertEquals(List.of(102, 100), host.pidsSent("USR2"));
        assertTrue(host.messages().contains("Have too many workers at the current version, so killing off 2 of them."));
        pool.tick();
        assertEquals(2, host.pidsSent("USR2").size(), "signaled workers are not signaled again");
    }

    @Test
    void smoothUpgradeStartsNewWorkersOneByOneAndRetiresAnOldOneForEachAck() {
        Pool pool = pool(2, true);
        pool.tick();
        ackAll(pool);
        host.now += 10;
        pool.upgrade(true);
        assertEquals(3, host.spawned.size(), "one new worker");
        assertEquals(1, host.spawned.get(2).version());
        assertEquals(2, host.spawned.get(2).index(), "indexes of live old workers are not reused");
        assertTrue(host.pidsSent("USR2").isEmpty(), "no old worker retired before a new one ACKs");
        pool.manualAck(102);
        pool.tick();
        assertEquals(List.of(100), host.pidsSent("USR2"));
        assertTrue(host.messages().contains("Smooth upgrade: killing off 1 old workers."));
        host.now += 1;
        pool.tick();
        assertEquals(4, host.spawned.size());
        pool.manualAck(103);
        pool.tick();
        assertEquals(List.of(100, 101), host.pidsSent("USR2"));
        FakeHost.Line last = host.lines.stream().filter(FakeHost.Line::last).findFirst().orElseThrow();
        assertEquals("Upgrade done", last.message());
        assertTrue(host.messages().contains("Upgraded successfully to version 1 (Einhorn 0.8.2)."));
        assertFalse(pool.upgrading());
        assertEquals(1, pool.upgradesCompleted());
    }

    @Test
    void fleetUpgradeStartsAllNewWorkersAndRetiresTheOldOnesTogetherOnceAllAck() {
        Pool pool = pool(3, true);
        pool.tick();
        ackAll(pool);
        pool.upgrade(false);
        assertEquals(6, host.spawned.size());
        pool.manualAck(103);
        pool.manualAck(104);
        pool.tick();
        assertTrue(host.pidsSent("USR2").isEmpty());
        pool.manualAck(105);
        pool.tick();
        assertEquals(List.of(100, 101, 102), host.pidsSent("USR2"));
        assertTrue(host.messages().contains("Killing off 3 old workers."));
    }

    @Test
    void anUpgradeThatNeverAcksFailsAtTheTimeoutAndLeavesTheOldWorkersAlone() {
        Pool pool = pool(2, new PoolSettings(true, 1, 1, 4, null, null, "TERM", 5.0));
        pool.tick();
        ackAll(pool);
        pool.upgrade(false);
        assertEquals(host.now + 5, pool.nextWakeup());
        host.now += 5;
        pool.tick();
        assertEquals(List.of(102, 103), host.pidsSent("TERM"), "only the new workers are stopped");
        FakeHost.Line last = host.lines.stream().filter(FakeHost.Line::last).findFirst().orElseThrow();
        assertTrue(last.message().startsWith("Upgrade failed: only 0 of 2 new workers ACKed within the upgrade timeout of 5s"),
                last.message());
        assertEquals(0, pool.version());
        assertEquals(2, pool.ackCount(), "the old version is current again");
        pool.exited(102, "exit status 0");
        pool.exited(103, "exit status 0");
        host.now += 5;
        pool.tick();
        assertEquals(4, host.spawned.size(), "nothing to replace: the old workers serve");
        assertEquals(1, pool.upgradesFailed());
    }

    @Test
    void anUpgradeWhoseWorkersKeepCrashingIsAbandoned() {
        Pool pool = pool(1, true);
        pool.tick();
        ackAll(pool);
        host.now += 10;
        pool.upgrade(true);
        for (int i = 0; i < PoolSettings.UPGRADE_MAX_CONSECUTIVE_DEATHS; i++) {
            int pid = host.spawned.get(host.spawned.size() - 1).pid();
            pool.exited(pid, "exit status 1");
            pool.tick();
            if (!pool.upgrading()) break;
            host.now = pool.nextWakeup();
            pool.tick();
        }
        assertFalse(pool.upgrading());
        assertTrue(host.messages().stream().anyMatch(m -> m.startsWith("Upgrade failed: the new workers keep dying")));
        assertTrue(host.pidsSent("USR2").stream().noneMatch(pid -> pid == 100), "the old worker is untouched");
        assertEquals(1, pool.ackCount());
    }

    @Test
    void aSecondUpgradeBumpsTheVersionAndStartsOver() {
        Pool pool = pool(1, true);
        pool.tick();
        ackAll(pool);
        pool.upgrade(true);
        pool.upgrade(true);
        assertEquals(2, pool.version());
        assertTrue(host.messages().contains("Currently upgrading (0 / 1 ACKs; bumping version and starting over)..."));
    }

    @Test
    void signalTimeoutEscalatesToKill() {
        Pool pool = pool(1, new PoolSettings(true, 1, 1, 4, null, 2, "USR2", null));
        pool.tick();
        ackAll(pool);
        pool.stop("USR2");
        assertEquals(host.now + 2, pool.nextWakeup());
        host.now += 2;
        pool.tick();
        assertEquals(List.of(100), host.pidsSent("KILL"));
        assertEquals(Double.POSITIVE_INFINITY, pool.nextWakeup());
    }

    @Test
    void stopSignalsEveryWorkerOnceAndFinishesWhenAllHaveExited() {
        Pool pool = pool(2, true);
        pool.tick();
        pool.stop("TERM");
        assertEquals(List.of(100, 101), host.pidsSent("TERM"));
        assertTrue(host.messages().contains("Sending TERM to [100, 101]"));
        pool.exited(100, "exit status 0");
        pool.tick();
        assertFalse(pool.isFinished());
        assertEquals(2, host.spawned.size(), "no respawn while stopping");
        pool.exited(101, "exit status 0");
        assertTrue(pool.isFinished());
    }

    @Test
    void maxUpgradeAdditionalCapsTheTotalNumberOfWorkers() {
        Pool pool = pool(2, new PoolSettings(true, 1, 1, 4, 1, null, "USR2", null));
        pool.tick();
        ackAll(pool);
        host.now += 10;
        pool.upgrade(true);
        assertEquals(3, host.spawned.size());
        pool.manualAck(102);
        pool.tick(); // retires 100, but it has not exited yet
        host.now += 5;
        pool.tick();
        assertEquals(3, host.spawned.size(), "2 + 1 workers alive: no room");
        pool.exited(100, "exit status 0");
        pool.tick();
        assertEquals(4, host.spawned.size());
    }

    /** With 0 no new worker would fit beside the old ones, which retire only against new ACKs: the upgrade never ended. */
    @Test
    void maxUpgradeAdditionalZeroRollsOneWorkerAtATimeAsEinhornDoes() {
        Pool pool = pool(2, new PoolSettings(true, 1, 1, 4, 0, null, "USR2", null));
        pool.tick();
        ackAll(pool);
        host.now += 10;
        pool.upgrade(true);
        assertEquals(3, host.spawned.size(), "one new worker beside the two old ones");
        pool.manualAck(102);
        pool.tick(); // retires 100
        host.now += 5;
        pool.tick();
        assertEquals(3, host.spawned.size(), "2 + 1 workers alive: no room");
        pool.exited(100, "exit status 0");
        pool.tick();
        assertEquals(4, host.spawned.size());
        pool.manualAck(103);
        pool.tick(); // retires 101
        pool.exited(101, "exit status 0");
        pool.tick();
        assertFalse(pool.upgrading());
        assertTrue(host.messages().contains("Upgrade done"), host.messages().toString());
    }

    @Test
    void aWorkerThatCannotBeStartedCountsAsADeath() {
        host.failSpawns = true;
        Pool pool = pool(2, true);
        pool.tick();
        assertEquals(1, pool.consecutiveDeathsBeforeAck());
        assertTrue(host.messages().contains("Could not start a worker: No such file or directory"));
        assertEquals(host.now + 1.5, pool.nextWakeup());
    }
}
