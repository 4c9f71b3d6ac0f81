package dev.einhorn.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Section 4 of RESULTS.md: the master's own costs ({@code OverheadRun}, {@code MasterVsFloor}), checked against
 * the goals below.
 */
final class OverheadSection {
    private OverheadSection() {
    }

    @SuppressWarnings("unchecked")
    static void overhead(StringBuilder b, Path out, Map<String, String> commands) throws IOException {
        b.append("## 4. Master overhead\n\n");
        Map<String, Object> m = Report.readOrNull(out.resolve("overhead.json"));
        if (m == null) {
            b.append(Report.NOT_RUN);
            return;
        }
        Map<String, Object> py = (Map<String, Object>) m.get("python4");
        if (py != null) masterVsFloor(b, py);
        b.append("### The master's other costs\n\n");
        b.append("Workers are `sleep 600` with a 0.5 s timer ACK, so only the master works.\n\n");
        MarkdownTable t = new MarkdownTable("figure", "value");
        for (String k : List.of("stateRtt", "incRtt", "decRtt")) {
            Map<String, Object> s = (Map<String, Object>) m.get(k);
            String name = k.replace("Rtt", "");
            t.row("`" + name + "` round trip p50 / p99 / max (ms, " + s.get("n") + " on one connection)",
                    Report.f(s.get("p50Ms")) + " / " + Report.f(s.get("p99Ms")) + " / " + Report.f(s.get("maxMs")));
        }
        Map<String, Object> idle = (Map<String, Object>) m.get("idle");
        t.row("master CPU idle with " + idle.get("workers") + " workers (utime+stime over " + Report.f(idle.get("windowSeconds")) + " s)",
                Report.f(idle.get("cpuSeconds")) + " s = " + Report.f(idle.get("cpuPercent")) + " % of a core");
        t.row("master PSS with " + idle.get("workers") + " workers (MB)", Report.f(idle.get("masterPssMb")));
        Map<String, Object> burst = (Map<String, Object>) m.get("burst");
        t.row("spawn burst at start-up (`-n " + burst.get("workers") + "`): span first→last spawn", Report.f(burst.get("spanSeconds")) + " s = "
                + Report.f(burst.get("spawnsPerSecond")) + " spawns/s (" + Report.f(burst.get("meanMillisPerSpawn")) + " ms each)");
        Map<String, Object> sw = (Map<String, Object>) m.get("setWorkers");
        t.row("`set_workers " + sw.get("to") + "` from " + sw.get("from") + " (`-s 0.001 --max-unacked 100`, gradual "
                + "replenish: one spawn per loop turn): command to " + sw.get("to") + " children in `state`", Report.f(sw.get("seconds")) + " s = "
                + Report.f(sw.get("spawnsPerSecond")) + " spawns/s");
        b.append(t.render());
        Report.reproduce(b, commands, "overhead");
    }
    /** Goals the overhead part is checked against: the master's PSS with 4 workers, and the upgrade's margin. */
    static final double PSS_GOAL_MB = 24, UPGRADE_MARGIN_GOAL_S = 0.3;
    /** The USS a master may gain over its reloads before the report calls it growth (page-level noise is below it). */
    static final double USS_GROWTH_LIMIT_MB = 1;
    /** Section 4's first table: the master with 4 python workers beside the JVM floor, both from this run. */
    @SuppressWarnings("unchecked")
    static void masterVsFloor(StringBuilder b, Map<String, Object> py) {
        Map<String, Object> master = (Map<String, Object>) py.get("master");
        Map<String, Object> floor = (Map<String, Object>) py.get("floor");
        Map<String, Object> first = (Map<String, Object>) master.get("firstImage");
        Map<String, Object> after = (Map<String, Object>) master.get("afterUpgrades");
        Map<String, Object> reloads = (Map<String, Object>) master.get("reloads");
        Map<String, Object> fm = (Map<String, Object>) floor.get("memory");
        // runs before this field measured the floor only at the end
        Map<String, Object> fs0 = (Map<String, Object>) floor.getOrDefault("memoryAtStart", fm);
        Map<String, Object> up = (Map<String, Object>) master.get("smoothUpgrade");
        b.append("### The master with 4 python workers, beside the JVM floor\n\n");
        b.append("`").append(master.get("command")).append("`. The floor is a JDK-only process with the master's JVM flags (`")
                .append(floor.get("flags")).append("`) that answers each request line with the master's `ehlo` reply; it runs beside the master, and the `ehlo` "
                + "round trips alternate between the two in batches, so the machine's load weighs on both alike. ")
                .append("PSS depends on what else maps the same files (the JDK's libjvm.so and class-data archive are shared with ")
                .append("every other JVM of that JDK on the machine), and so does USS (a file page no other process maps is private); ")
                .append("private dirty pages (what the process wrote: heap, metaspace, code, written archive pages) do not. ")
                .append("Both processes are measured while both run. The master's own class-data ")
                .append("archive was ").append(Boolean.TRUE.equals(master.get("archiveMapped")) ? "mapped" : "**not** mapped")
                .append(" after the upgrades.\n\n");
        MarkdownTable t = new MarkdownTable("figure", "master", "JVM floor", "master − floor");
        Object firstAtRest = master.get("firstImageAtRestSeconds");
        t.row("PSS at start" + (firstAtRest == null ? "" : ", " + Report.f(firstAtRest) + " s after the last request") + " (MB)", Report.f(first.get("pssMb")), Report.f(fs0.get("pssMb")), Report.diff(first.get("pssMb"), fs0.get("pssMb")));
        Object atRest = master.get("afterUpgradesAtRestSeconds");
        t.row("PSS after " + up.get("n") + " smooth upgrade(s) and the `ehlo` round trips"
                        + (atRest == null ? "" : ", " + Report.f(atRest) + " s after the last request") + " (MB)",
                Report.f(after.get("pssMb")), Report.f(fm.get("pssMb")),
                Report.diff(after.get("pssMb"), fm.get("pssMb")));
        t.row("USS at start / after the upgrades (MB)", Report.f(first.get("ussMb")) + " / " + Report.f(after.get("ussMb")),
                Report.f(fm.get("ussMb")), Report.diff(after.get("ussMb"), fm.get("ussMb")));
        if (first.containsKey("privateDirtyMb")) {
            t.row("private dirty at start / after the upgrades (MB)", Report.f(first.get("privateDirtyMb")) + " / "
                    + Report.f(after.get("privateDirtyMb")), Report.f(fs0.get("privateDirtyMb")) + " / " + Report.f(fm.get("privateDirtyMb")),
                    Report.diff(after.get("privateDirtyMb"), fm.get("privateDirtyMb")));
        }
        t.row("threads", Report.count(after.get("threads")), Report.count(fm.get("threads")),
                Report.countDiff(after.get("threads"), fm.get("threads")));
        Map<String, Object> mi = (Map<String, Object>) master.get("idle");
        Map<String, Object> fi = (Map<String, Object>) floor.get("idle");
        t.row("idle CPU over " + Report.f(mi.get("windowSeconds")) + " s (% of a core)", Report.f(mi.get("cpuPercent")), Report.f(fi.get("cpuPercent")),
                Report.diff(mi.get("cpuPercent"), fi.get("cpuPercent")));
        for (String k : List.of("ehloRtt", "ehloRttAfterUpgrades")) {
            Map<String, Object> ms = (Map<String, Object>) master.get(k);
            // the floor's batches alternate with the master's (both keys); older runs measured the floor once
            Map<String, Object> fs = (Map<String, Object>) floor.getOrDefault(k, floor.get("ehloRtt"));
            String when = k.equals("ehloRtt") ? "at start" : "after the upgrades";
            t.row("`ehlo` round trip p50 " + when + " (ms, " + ms.get("n") + " on one connection)", Report.f(ms.get("p50Ms")),
                    Report.f(fs.get("p50Ms")), Report.diff(ms.get("p50Ms"), fs.get("p50Ms")));
            t.row("`ehlo` round trip p99 " + when + " (ms)", Report.f(ms.get("p99Ms")), Report.f(fs.get("p99Ms")), Report.diff(ms.get("p99Ms"), fs.get("p99Ms")));
        }
        double upMedian = Report.num(up.get("medianSeconds"));
        double pacing = Report.num(up.get("pacingFloorSeconds"));
        String pacingRule = up.containsKey("workers") && up.containsKey("spinupSeconds")
                ? " (pacing: " + (((Number) up.get("workers")).intValue() - 1) + " × `-s " + Report.f(up.get("spinupSeconds")) + "`)"
                : " (pacing)";
        t.row("smooth upgrade, `upgrade` to its last reply (s, median of " + up.get("n") + ")", Report.f(upMedian),
                Report.f(pacing) + pacingRule, Report.diff(upMedian, pacing));
        String starts = floor.containsKey("jvmStarts") ? " of " + floor.get("jvmStarts") : "";
        if (floor.containsKey("upgradeCheckSeconds")) {
            t.row("JVM start: master column `bin/einhorn --upgrade-check` as a reload runs it, floor column a hello world "
                    + "with the master's flags (s, median" + starts + ")", Report.f(floor.get("upgradeCheckSeconds")),
                    Report.f(floor.get("jvmStartSeconds")), Report.diff(floor.get("upgradeCheckSeconds"), floor.get("jvmStartSeconds")));
        } else {
            t.row("JVM start, hello world with the master's flags (s, median" + starts + ")", "—",
                    Report.f(floor.get("jvmStartSeconds")), "—");
        }
        Map<String, Object> rm = (Map<String, Object>) reloads.get("memory");
        Map<String, Object> r1 = (Map<String, Object>) reloads.get("afterFirst");
        if (r1 == null) r1 = Map.of();
        t.row("after 1 / " + reloads.get("n") + " more reloads: PSS (MB)", Report.f(r1.get("pssMb")) + " / " + Report.f(rm.get("pssMb")), "—",
                Report.diff(rm.get("pssMb"), r1.get("pssMb")) + " from the 1st to the last");
        t.row("after 1 / " + reloads.get("n") + " more reloads: USS (MB), fds, threads", Report.f(r1.get("ussMb")) + ", " + Report.count(r1.get("fds"))
                        + ", " + Report.count(r1.get("threads")) + " / " + Report.f(rm.get("ussMb")) + ", " + Report.count(rm.get("fds")) + ", "
                        + Report.count(rm.get("threads")), "—",
                "USS " + Report.diff(rm.get("ussMb"), r1.get("ussMb")) + " MB, fds " + Report.countDiff(rm.get("fds"), r1.get("fds")));
        t.row("one reload, `reload` to the new image's first log line (s, median)", Report.f(reloads.get("medianSeconds")), "—", "—");
        b.append(t.render()).append('\n');
        double pss = Report.num(after.get("pssMb"));
        b.append("Goals, checked against this run's figures: master PSS with 4 workers at most ").append(Report.f(PSS_GOAL_MB))
                .append(" MB: ").append(Report.verdict(pss <= PSS_GOAL_MB, Report.f(pss) + " MB after the upgrades, " + Report.f(first.get("pssMb")) + " MB at start"))
                .append("; smooth upgrade within ").append(Report.f(UPGRADE_MARGIN_GOAL_S)).append(" s of its pacing: ")
                .append(Report.verdict(upMedian - pacing <= UPGRADE_MARGIN_GOAL_S, Report.f(upMedian - pacing) + " s over"))
                .append("; idle CPU 0: ").append(Report.verdict(Report.num(mi.get("cpuSeconds")) == 0, Report.f(mi.get("cpuSeconds")) + " s"))
                .append("; no growth over the reloads (after the last, USS at most ").append(Report.f(USS_GROWTH_LIMIT_MB))
                .append(" MB more and no more fds than after the first): ")
                .append(Report.verdict(Report.num(rm.get("ussMb")) - Report.num(r1.get("ussMb")) <= USS_GROWTH_LIMIT_MB
                                && Report.num(rm.get("fds")) <= Report.num(r1.get("fds")),
                        Report.diff(rm.get("ussMb"), r1.get("ussMb")) + " MB, fds " + Report.countDiff(rm.get("fds"), r1.get("fds"))))
                .append(".\n\n");
    }
}
