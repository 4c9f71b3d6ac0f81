package dev.einhorn.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The spawn-to-ACK histogram the {@code metrics} command exports, with the fake clock of PoolTest. */
class AckLatencyTest {
    private final FakeHost host = new FakeHost();

    private Pool pool(int number, boolean manual) {
        return new Pool(new PoolSettings(manual, 1.0, 1.0, 4, null, null, "USR2", null), number, host, host);
    }

    @Test
    void manualAcksAreMeasuredFromSpawn() {
        Pool pool = pool(2, true);
        pool.tick();
        host.now += 0.2;
        pool.manualAck(100);
        host.now += 3.0;
        pool.manualAck(101);
        LatencyHistogram h = pool.ackLatency();
        assertEquals(2, h.count());
        assertEquals(3.4, h.sum(), 1e-9);
        assertEquals(0, h.cumulative(LatencyHistogram.BOUNDS.indexOf(0.1)));
        assertEquals(1, h.cumulative(LatencyHistogram.BOUNDS.indexOf(0.25)));
        assertEquals(1, h.cumulative(LatencyHistogram.BOUNDS.indexOf(2.5)));
        assertEquals(2, h.cumulative(LatencyHistogram.BOUNDS.indexOf(5.0)));
        assertEquals(0.2, pool.worker(100).ackLatency(), 1e-9);
        assertEquals(3.2, pool.worker(101).ackLatency(), 1e-9);
    }

    @Test
    void timerAcksCountTheirTimeoutAndDuplicatesAreNotCountedTwice() {
        Pool pool = pool(1, false);
        pool.tick();
        assertNull(pool.worker(100).ackLatency());
        host.now += 1.0;
        pool.tick();
        pool.tick();
        assertEquals(1, pool.ackLatency().count());
        assertEquals(1.0, pool.worker(100).ackLatency(), 1e-9);
    }

    @Test
    void bucketsAreCumulativeAndNegativeDurationsClampToZero() {
        LatencyHistogram h = new LatencyHistogram();
        h.observe(-1);
        h.observe(100);
        assertEquals(1, h.cumulative(0));
        assertEquals(1, h.cumulative(LatencyHistogram.BOUNDS.size() - 1));
        assertEquals(2, h.count());
        assertEquals(100.0, h.sum(), 1e-9);
    }

    @Test
    void theHistogramAndWorkerLatenciesSurviveASnapshot() {
        Pool pool = pool(1, true);
        pool.tick();
        host.now += 0.3;
        pool.manualAck(100);
        Pool back = Pool.restore(pool.snapshot(), new PoolSettings(true, 1.0, 1.0, 4, null, null, "USR2", null),
                host, host);
        assertEquals(1, back.ackLatency().count());
        assertEquals(0.3, back.ackLatency().sum(), 1e-9);
        assertEquals(1, back.ackLatency().cumulative(LatencyHistogram.BOUNDS.indexOf(0.5)));
        assertEquals(0.3, back.worker(100).ackLatency(), 1e-9);
    }
}
