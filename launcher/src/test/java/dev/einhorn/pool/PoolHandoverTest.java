package dev.einhorn.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.einhorn.protocol.Yaml;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pool survives a master re-exec: snapshot, through the hand-over's YAML, restore, and carry on. */
class PoolHandoverTest {
    private final FakeHost host = new FakeHost();
    private final PoolSettings settings = new PoolSettings(true, 1, 1, 4, null, 5, "USR2", 30.0);

    @SuppressWarnings("unchecked")
    private Pool roundTrip(Pool pool) throws Exception {
        String yaml = Yaml.dump(pool.snapshot());
        return Pool.restore((Map<String, Object>) Yaml.parse(yaml), settings, host, host);
    }

    @Test
    void aPoolInTheMiddleOfAnUpgradeIsTheSameAfterTheRoundTrip() throws Exception {
        Pool pool = new Pool(settings, 2, host, host);
        pool.tick();
        pool.manualAck(100);
        pool.manualAck(101);
        pool.ping(100, "id-1");
        host.now += 10;
        pool.upgrade(true);
        pool.signalAll("CONT");

        Pool restored = roundTrip(pool);
        assertEquals(pool.snapshot(), restored.snapshot());
        assertEquals(Double.compare(pool.nextWakeup(), restored.nextWakeup()), 0, "the same timers");
        assertTrue(restored.upgrading());
        assertEquals("id-1", restored.worker(100).pingedRequestId());

        // and it carries on as the original would: the new worker ACKs, an old one is retired
        restored.manualAck(102);
        restored.tick();
        assertEquals(List.of(100), host.pidsSent("USR2"));
    }

    @Test
    void aStoppingPoolWithSignaledWorkersKeepsItsEscalationTimer() throws Exception {
        Pool pool = new Pool(settings, 1, host, host);
        pool.tick();
        pool.stop("TERM");
        Pool restored = roundTrip(pool);
        assertEquals(host.now + 5, restored.nextWakeup(), "-t still escalates after the re-exec");
        host.now += 5;
        restored.tick();
        assertEquals(List.of(100), host.pidsSent("KILL"));
        assertTrue(!restored.respawning());
    }

    @Test
    @SuppressWarnings("unchecked")
    void wallClockTimesTravelAsIntegersAndComeBackToTheNanosecond() throws Exception {
        Pool pool = new Pool(settings, 1, host, host);
        host.now = 1764375613.209628; // a spin-up time with microseconds, as Instant.now() gives here
        pool.tick();
        pool.ping(100, "id-1");
        Map<String, Object> worker = ((List<Map<String, Object>>) pool.snapshot().get("workers")).get(0);
        assertTrue(worker.get("spinup_wall") instanceof Long, "an integer, not a java.time string: " + worker);
        Pool restored = roundTrip(pool);
        assertEquals(pool.worker(100).spinupWall(), restored.worker(100).spinupWall());
        assertEquals(pool.worker(100).pingedAt(), restored.worker(100).pingedAt());
    }

    @Test
    @SuppressWarnings("unchecked")
    void timesAnOlderImageWroteAsStringsStillRead() throws Exception {
        Pool pool = new Pool(settings, 1, host, host);
        host.now = 1764375613.5;
        pool.tick();
        pool.ping(100, "id-1");
        Map<String, Object> snapshot = pool.snapshot();
        Map<String, Object> worker = ((List<Map<String, Object>>) snapshot.get("workers")).get(0);
        worker.put("spinup_wall", "2025-11-29T00:20:13.5Z"); // hand-over format 2: Instant.toString()
        worker.put("pinged_at", "2025-11-29T00:20:14Z");
        Pool restored = Pool.restore(snapshot, settings, host, host);
        assertEquals(java.time.Instant.parse("2025-11-29T00:20:13.500Z"), restored.worker(100).spinupWall());
        assertEquals(java.time.Instant.parse("2025-11-29T00:20:14Z"), restored.worker(100).pingedAt());
    }
}
