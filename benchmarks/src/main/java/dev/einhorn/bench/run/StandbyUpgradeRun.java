package dev.einhorn.bench.run;

import dev.einhorn.bench.process.EinhornProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The {@code standby} part's upgrade figures: the time of a smooth {@code upgrade} of 4 http-hello workers, from
 * sending the command to its last reply on the command socket ({@code Upgrade done}), for plain {@code java -jar},
 * preloaded without standbys ({@code --standby 0}) and with 1 or 4 standbys, JDK 17 and 25. One master per
 * variant, all alive at once; each round upgrades every master once, in a shuffled order, one at a time.
 * <p>
 * With standbys, an upgrade first retires the old version's standbys and warms new ones (docs/PRELOAD.md "Warm
 * standbys"), so its steps wait for JVMs that start and run the warm-up: this measures whether that still beats
 * starting the 4 workers directly.
 */
final class StandbyUpgradeRun {
    static final int WORKERS = 4;

    private StandbyUpgradeRun() {
    }

    /** id to einhorn arguments: the {@link StandbyRun#variants()} plus {@code standby4_17/25} ({@code --standby 4}). */
    static Map<String, List<String>> variants() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (var v : StandbyRun.variants().entrySet()) {
            m.put(v.getKey(), v.getValue());
            if (v.getKey().startsWith("standby")) {
                List<String> four = new ArrayList<>(v.getValue());
                four.set(four.indexOf("--standby") + 1, "4");
                m.put("standby4_" + v.getKey().substring("standby".length()), four);
            }
        }
        return m;
    }

    /** The standby target of a variant's master (0 for plain and cold). */
    static int standbyTarget(List<String> args) {
        int i = args.indexOf("--standby");
        return i < 0 || args.indexOf("--") < i ? 0 : Integer.parseInt(args.get(i + 1));
    }

    /** Runs the rounds; returns {"upgradeMs": id -> [ms...], "activations": id -> [n...], "failures": [...]}. */
    static Map<String, Object> run(Path out, int rounds, long seed) throws Exception {
        Map<String, List<String>> all = variants();
        Map<String, EinhornProcess> masters = new LinkedHashMap<>();
        Map<String, List<Double>> ms = new LinkedHashMap<>();
        Map<String, List<Integer>> activations = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        try {
            // one master at a time, each steady before the next starts: started together, their 40-odd JVMs kept a
            // 2-core machine so busy that the last master's own start took longer than EinhornProcess waits
            for (var v : all.entrySet()) {
                List<String> args = new ArrayList<>(List.of("-n", Integer.toString(WORKERS), "-s", "0.05"));
                args.addAll(v.getValue());
                EinhornProcess e = EinhornProcess.start(out.resolve("standby-upgrade-" + v.getKey()), args, Map.of());
                masters.put(v.getKey(), e);
                awaitSteady(e, standbyTarget(v.getValue()));
                ms.put(v.getKey(), new ArrayList<>());
                activations.put(v.getKey(), new ArrayList<>());
            }
            Random random = new Random(seed);
            for (int r = 0; r < rounds; r++) {
                List<String> order = new ArrayList<>(masters.keySet());
                Collections.shuffle(order, random);
                for (String id : order) {
                    EinhornProcess e = masters.get(id);
                    awaitSteady(e, standbyTarget(all.get(id)));
                    EinhornProcess.sleep(500); // let the previous upgrade's old workers finish exiting
                    int before = e.logCount("===> Activated standby");
                    EinhornProcess.Timed upgrade = e.timed("upgrade", Duration.ofSeconds(180));
                    if (!upgrade.lastReply().contains("Upgrade done")) {
                        failures.add(id + " round " + (r + 1) + ": " + upgrade.lastReply());
                        continue;
                    }
                    ms.get(id).add(upgrade.seconds() * 1000);
                    activations.get(id).add(e.logCount("===> Activated standby") - before);
                }
                System.err.printf("[standby] upgrade round %d/%d done%n", r + 1, rounds);
            }
        } finally {
            for (EinhornProcess e : masters.values()) e.close();
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("workers", WORKERS);
        result.put("rounds", rounds);
        result.put("order", "interleaved: each round one upgrade per master, shuffled (seed " + seed + ")");
        result.put("upgradeMs", ms);
        result.put("activations", activations);
        result.put("failures", failures);
        return result;
    }

    /** All workers acked and of one version, and the standby target ready. */
    static void awaitSteady(EinhornProcess e, int standbys) throws IOException {
        e.awaitAcked(WORKERS, Duration.ofSeconds(240));
        StandbyRun.awaitReadyStandbys(e, standbys);
    }
}
