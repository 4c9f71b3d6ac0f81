package dev.einhorn.bench.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.einhorn.bench.BenchJson;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FloorsReportTest {
    /** Two rounds; the figures are (program, floor beside it) PSS in MB, USS and dirty alike. */
    static String run(double masterPss, double floorPss) {
        return """
                {"args": {"rounds": 2, "settle_ms": 3000}, "seconds": 60, "flags": "-XX:+UseSerialGC",
                 "machine": {"nproc": "2", "commit": "abc1234 subject"},
                 "loadAverageAtStart": "0.5 0.4 0.3", "loadAverageAtEnd": "0.6 0.4 0.3",
                 "programs": {
                  "nio": {"what": "JDK I/O", "classes": {"loaded": 900, "notFromAnArchive": 10},
                          "rounds": [%s, %s]},
                  "jffi": {"what": "jffi", "classes": {"loaded": 1150, "notFromAnArchive": 19},
                          "rounds": [%s, %s]},
                  "jnr-ffi": {"what": "jnr-ffi", "classes": {"loaded": 1560, "notFromAnArchive": 30},
                          "rounds": [%s, %s]},
                  "master": {"what": "bin/einhorn", "rounds": [%s, %s]}}}
                """.formatted(round(floorPss + 2, floorPss), round(floorPss + 2.4, floorPss),
                round(floorPss + 4.5, floorPss), round(floorPss + 4.7, floorPss),
                round(floorPss + 7.3, floorPss), round(floorPss + 7.5, floorPss),
                round(masterPss, floorPss), round(masterPss + 0.2, floorPss));
    }

    static String round(double program, double floor) {
        return ("{\"program\": {\"pssMb\": %s, \"ussMb\": %s, \"privateDirtyMb\": %s},"
                + " \"floor\": {\"pssMb\": %s, \"ussMb\": %s, \"privateDirtyMb\": %s}}")
                .formatted(program, program - 1, program - 2, floor, floor - 1, floor - 2);
    }

    @SuppressWarnings("unchecked")
    static String render(String json) {
        return FloorsReport.render((Map<String, Object>) BenchJson.parse(json), "results/floors.json");
    }

    @Test
    void aMasterAboveTheGoalIsNotMetAndTheMarginComesFromTheFloorBesideIt() {
        String md = render(run(31.5, 20.0)); // master median 31.6, floor 20: margin 4
        assertTrue(md.contains("at most 24.0 MB**: 31.6 MB, **not met**. The floor beside it: 20.0 MB, so the goal leaves 4.00 MB"), md);
        assertTrue(md.contains("Within that margin (PSS over the floor, MB): `nio` 2.20; beyond it: `jffi` 4.60, `jnr-ffi` 7.40, `master` 11.6."), md);
        assertTrue(md.contains("The lightest skeleton that spawns (`jffi`, 4.60 MB over the floor) already exceeds the margin by 0.600 MB"), md);
        assertTrue(md.contains("The master over the `jnr-ffi` skeleton: 4.20 MB PSS."), md);
        assertTrue(md.contains("| `jffi` | jffi | 1150 (19) | 24.6 | 20.0 | 4.60 | 4.60 | 4.60 |"), md);
        assertTrue(md.contains("BenchMain floors out=benchmarks/out rounds=2 settle_ms=3000"), md);
        assertFalse(md.contains("/work/") || md.contains("/tmp/") || md.contains("/usr/"), md);
    }

    @Test
    void aMasterWithinTheGoalIsMetAndALowFloorWidensTheMargin() {
        String md = render(run(23.0, 14.0)); // master median 23.1, floor 14: margin 10
        assertTrue(md.contains("**: 23.1 MB, **met**."), md);
        assertTrue(md.contains("The lightest skeleton that spawns (`jffi`, 4.60 MB over the floor) fits the margin"), md);
        assertTrue(md.contains("beyond it: none."), md);
    }

    @Test
    void aRunOnABusyMachineSaysItsAbsolutePssIsFlattered() {
        String quiet = render(run(23.0, 14.0));
        assertFalse(quiet.contains("machine was busy"), quiet);
        String md = render(run(23.0, 14.0).replace("\"loadAverageAtStart\": \"0.5 0.4 0.3\"", "\"loadAverageAtStart\": \"4.24 5.31 3.44\""));
        assertTrue(md.contains("**met**"), md);
        assertTrue(md.contains("- **Caveat: the machine was busy** (1-minute load average 4.24 at the start, above its 2 cores)"), md);
        assertTrue(md.contains("(the floor's 14.0 MB included)"), md);
    }
}
