package dev.einhorn.bench;

import dev.einhorn.bench.process.EinhornProcess;
import dev.einhorn.bench.report.FloorsReport;
import dev.einhorn.bench.report.Report;
import dev.einhorn.bench.report.StandbyReport;
import dev.einhorn.bench.run.FloorsRun;
import dev.einhorn.bench.run.LoadRun;
import dev.einhorn.bench.run.MemoryRun;
import dev.einhorn.bench.run.OverheadRun;
import dev.einhorn.bench.run.Probe;
import dev.einhorn.bench.run.SpringRun;
import dev.einhorn.bench.run.StandbyRun;
import dev.einhorn.bench.run.StartupRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The non-JMH runs. {@code java -cp benchmarks/target/benchmarks.jar dev.einhorn.bench.BenchMain COMMAND [key=value...]}
 * with EINHORN_REPO pointing at the checkout; results go to {@code out=DIR} (default benchmarks/out).
 * <ul>
 *   <li>{@code probe}: which variants and master commands exist now (probe.json);</li>
 *   <li>{@code startup [variants=plain17,...] [rounds=15] [warmup=1] [seed=1]}: spawn to ACK, interleaved
 *       (startup.json; default: every variant the probe found);</li>
 *   <li>{@code memory [variants=plain17,...] [counts=4,8] [settle_ms=3000]}: memory.json;</li>
 *   <li>{@code load [variant=plain17] [workers=4] [threads=4] [repeats=2] [steady_s=8] [gap_s=3]}: load.json,
 *       load-timeline.csv, load-upgrades.png;</li>
 *   <li>{@code overhead [round_trips=2000] [idle_s=10] [upgrades=5] [reloads=100]}: overhead.json;</li>
 *   <li>{@code spring [rounds=6] [warmup=0] [master_rounds=6] [standbys=1] [budget_s=400] [seed=1]}: the Spring Boot
 *       sample, plain vs preloaded, JDK 17 and 25 ({@link SpringRun}): spring.json;</li>
 *   <li>{@code standby [rounds=5] [warmup=1] [seed=1] [references=hello17,hello25,python] [upgrade_rounds=3]
 *       [variants=standby17,standby25,...: only these in the activation and kill shots]
 *       [standby_idle_ms=0: how long a ready standby stays parked before its shot]}:
 *       warm standbys (standby.json);</li>
 *   <li>{@code standby-report [results=benchmarks/results] [md=benchmarks/STANDBY-RESULTS.md]}: renders
 *       STANDBY-RESULTS.md from results/standby.json alone;</li>
 *   <li>{@code floors [rounds=5] [settle_ms=3000]}: what a master costs at least: skeletons and the master beside a
 *       JVM floor ({@link FloorsRun}): floors.json;</li>
 *   <li>{@code floors-report [results=benchmarks/results] [md=benchmarks/FLOORS-RESULTS.md]}: renders
 *       FLOORS-RESULTS.md from results/floors.json alone;</li>
 *   <li>{@code report [results=benchmarks/results] [md=benchmarks/RESULTS.md]}: renders RESULTS.md.</li>
 * </ul>
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] argv) throws Exception {
        // the command is the one word without '=', wherever it stands (benchmarks/run puts out=DIR first)
        String command = null;
        Map<String, String> opt = new LinkedHashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            if (eq > 0) {
                opt.put(a.substring(0, eq), a.substring(eq + 1));
            } else if (command == null) {
                command = a;
            } else {
                throw new IllegalArgumentException("expected key=value, got " + a);
            }
        }
        if (command == null) {
            System.err.println("usage: BenchMain probe|startup|memory|load|overhead|standby|spring|floors|report [key=value...]");
            System.exit(2);
        }
        Path repo = EinhornProcess.repo();
        Path out = Path.of(opt.getOrDefault("out", repo.resolve("benchmarks/out").toString()));
        switch (command) {
            case "probe" -> Probe.run(out);
            case "available" -> System.out.println(String.join(",", Probe.available(Probe.load(out))));
            case "startup" -> {
                List<String> avail = Probe.available(Probe.load(out));
                List<String> ids = new ArrayList<>();
                for (String w : opt.getOrDefault("variants", String.join(",", Variants.IDS)).split(",")) {
                    if (avail.contains(w)) ids.add(w);
                }
                StartupRun.run(out, ids, intOpt(opt, "rounds", 15), intOpt(opt, "warmup", 1),
                        Long.parseLong(opt.getOrDefault("seed", "1")));
            }
            case "memory" -> {
                Map<String, Object> probe = Probe.load(out);
                List<String> avail = Probe.available(probe);
                List<String> wanted = List.of(opt.getOrDefault("variants", "plain17,plain25,boot17,boot25,cds17,aot25").split(","));
                List<String> ids = new ArrayList<>();
                for (String w : wanted) if (avail.contains(w)) ids.add(w);
                int[] counts = Arrays.stream(opt.getOrDefault("counts", "4,8").split(",")).mapToInt(Integer::parseInt).toArray();
                MemoryRun.run(out, ids, counts, Long.parseLong(opt.getOrDefault("settle_ms", "3000")));
            }
            case "load" -> {
                Map<String, Object> probe = Probe.load(out);
                @SuppressWarnings("unchecked")
                Map<String, Object> commands = (Map<String, Object>) probe.get("commands");
                LoadRun.run(out, opt.getOrDefault("variant", "plain17"), intOpt(opt, "workers", 4), intOpt(opt, "threads", 4),
                        intOpt(opt, "repeats", 2), intOpt(opt, "steady_s", 8), intOpt(opt, "gap_s", 3), commands);
            }
            case "standby" -> StandbyRun.run(out, intOpt(opt, "rounds", 5), intOpt(opt, "warmup", 1),
                    Long.parseLong(opt.getOrDefault("seed", "1")),
                    List.of(opt.getOrDefault("references", "hello17,hello25,python").split(",")),
                    intOpt(opt, "upgrade_rounds", 3),
                    opt.containsKey("variants") ? List.of(opt.get("variants").split(",")) : List.of(),
                    Long.parseLong(opt.getOrDefault("standby_idle_ms", "0")));
            case "standby-report" -> StandbyReport.write(
                    Path.of(opt.getOrDefault("results", repo.resolve("benchmarks/results").toString())).resolve("standby.json"),
                    Path.of(opt.getOrDefault("md", repo.resolve("benchmarks/STANDBY-RESULTS.md").toString())));
            case "spring" -> SpringRun.run(out, intOpt(opt, "rounds", 6), intOpt(opt, "warmup", 0),
                    intOpt(opt, "master_rounds", 6), Long.parseLong(opt.getOrDefault("seed", "1")),
                    !"0".equals(opt.getOrDefault("standbys", "1")), intOpt(opt, "budget_s", 400));
            case "overhead" -> OverheadRun.run(out, intOpt(opt, "round_trips", 2000), intOpt(opt, "idle_s", 10),
                    intOpt(opt, "upgrades", 5), intOpt(opt, "reloads", 100));
            case "floors" -> FloorsRun.run(out, intOpt(opt, "rounds", 5), intOpt(opt, "settle_ms", 3000));
            case "floors-report" -> FloorsReport.write(
                    Path.of(opt.getOrDefault("results", repo.resolve("benchmarks/results").toString())).resolve("floors.json"),
                    Path.of(opt.getOrDefault("md", repo.resolve("benchmarks/FLOORS-RESULTS.md").toString())));
            case "report" -> Report.write(out, Path.of(opt.getOrDefault("results", repo.resolve("benchmarks/results").toString())),
                    Path.of(opt.getOrDefault("md", repo.resolve("benchmarks/RESULTS.md").toString())));
            default -> throw new IllegalArgumentException("unknown command " + command);
        }
        System.exit(0); // do not wait for stray non-daemon threads
    }

    private static int intOpt(Map<String, String> opt, String key, int dflt) {
        return Integer.parseInt(opt.getOrDefault(key, Integer.toString(dflt)));
    }
}
