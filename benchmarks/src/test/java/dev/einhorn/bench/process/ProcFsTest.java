package dev.einhorn.bench.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcFsTest {
    static final String ROLLUP = """
            55a4c0e3e000-7ffd5b1f5000 ---p 00000000 00:00 0                          [rollup]
            Rss:               45316 kB
            Pss:               21004 kB
            Pss_Dirty:         15640 kB
            Pss_Anon:          15620 kB
            Pss_File:           5380 kB
            Pss_Shmem:             4 kB
            Shared_Clean:      28012 kB
            Shared_Dirty:          0 kB
            Private_Clean:      1652 kB
            Private_Dirty:     15652 kB
            Referenced:        45316 kB
            Anonymous:         15620 kB
            LazyFree:              0 kB
            AnonHugePages:         0 kB
            Swap:                  0 kB
            SwapPss:               0 kB
            Locked:                0 kB
            """;

    @Test
    void parsesSmapsRollupInKilobytes() {
        Map<String, Long> m = ProcFs.parseSmapsRollup(ROLLUP);
        assertEquals(21004L, m.get("Pss"));
        assertEquals(28012L, m.get("Shared_Clean"));
        assertEquals(17, m.size()); // the [rollup] header line is not a field
        ProcFs.Memory mem = ProcFs.memory(m);
        assertEquals(new ProcFs.Memory(45316, 21004, 28012, 0, 1652, 15652), mem);
        assertEquals(42008, mem.plus(mem).pssKb());
    }

    @Test
    void missingFieldsAreZero() {
        assertEquals(new ProcFs.Memory(0, 7, 0, 0, 0, 0), ProcFs.memory(ProcFs.parseSmapsRollup("Pss: 7 kB\n")));
    }

    @Test
    void statCpuSurvivesSpacesAndParenthesesInTheName() {
        String stat = "4242 (java (my) app) S 1 4242 4242 0 -1 4194560 5010 0 3 0 1234 567 0 0 20 0 19 0 8877 "
                + "3000000000 12000 18446744073709551615 1 1 0 0 0 0 0 4096 17 0 0 0 0 0 0";
        assertArrayEquals(new long[] {1234, 567}, ProcFs.parseStatCpu(stat));
        assertThrows(IllegalArgumentException.class, () -> ProcFs.parseStatCpu("garbage"));
    }

    @Test
    void readsThisProcess() throws Exception {
        long pid = ProcessHandle.current().pid();
        assertTrue(ProcFs.memory(pid).pssKb() > 0);
        assertTrue(ProcFs.cpuTicks(pid) >= 0);
        assertTrue(ProcFs.alive(pid));
        assertTrue(ProcFs.clockTicksPerSecond() > 0);
    }
}
