package dev.einhorn.bench.run;

import dev.einhorn.bench.BenchJson;
import dev.einhorn.bench.Variants;
import dev.einhorn.bench.process.EinhornProcess;
import dev.einhorn.bench.process.ProcFs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What exists now: for every variant, start a master with one worker and wait for its ACK (a preloaded variant
 * must also report {@code preloaded: true} in state, and its worker should map an archive from the preload
 * cache); which upgrade/reload commands the master lists in {@code help}.
 */
public final class Probe {
    private Probe() {
    }

    public static Map<String, Object> run(Path out) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        Variants.App app = Variants.app();
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("name", app.name());
        a.put("jar", Variants.inRepo(app.jar().toString()));
        a.put("http", app.http());
        a.put("standIn", app.standIn());
        result.put("app", a);
        Map<String, Object> variants = new LinkedHashMap<>();
        for (Variants.Variant v : Variants.all().values()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("label", v.label());
            r.put("einhornArgs", v.einhornArgs().stream().map(Variants::inRepo).toList());
            String why = v.unavailable();
            if (why == null) {
                List<String> args = new ArrayList<>(List.of("-n", "1"));
                args.addAll(v.einhornArgs());
                long t0 = System.nanoTime();
                try (EinhornProcess e = EinhornProcess.start(out.resolve("probe-" + v.id()), args, Map.of())) {
                    List<Long> pids = e.awaitAcked(1, Duration.ofSeconds(v.preload() ? 240 : 60));
                    r.put("firstAckSeconds", (System.nanoTime() - t0) / 1e9);
                    if (v.preload()) {
                        Object preloaded = e.state().get("preloaded");
                        boolean mapped = archiveMapped(pids.get(0), v);
                        r.put("preloadedInState", preloaded);
                        r.put("archiveMapped", mapped);
                        if (!Boolean.TRUE.equals(preloaded)) {
                            why = "the master does not preload yet (-p accepted, state says preloaded: "
                                    + preloaded + "); lands with the preload branch";
                        }
                    }
                } catch (Exception ex) {
                    why = "probe failed: " + EinhornProcess.firstLine(ex);
                    System.err.println("[probe] " + v.id() + ": " + ex.getMessage());
                }
            }
            r.put("available", why == null);
            r.put("reason", why);
            System.err.println("[probe] " + v.id() + ": " + (why == null ? "available" : "skipped: " + why));
            variants.put(v.id(), r);
        }
        result.put("variants", variants);

        Map<String, Object> commands = new LinkedHashMap<>();
        try (EinhornProcess e = EinhornProcess.start(out.resolve("probe-commands"), List.of("-n", "1", "--", "sleep", "600"),
                Map.of())) {
            String help = e.command("help");
            for (String c : List.of("upgrade", "upgrade_fleet", "reload")) {
                commands.put(c, help.lines().anyMatch(l -> l.startsWith(c + ":")));
            }
        }
        result.put("commands", commands);
        System.err.println("[probe] commands: " + commands);
        BenchJson.write(out.resolve("probe.json"), result);
        return result;
    }

    /** True if the worker maps a file from the preload cache (an archive really in use) or any .jsa/.aot outside the JDK. */
    static boolean archiveMapped(long pid, Variants.Variant v) {
        try {
            String cache = Variants.preloadCache().toString();
            String jdk = v.java() == null ? "//" : v.java().getParent().getParent().toRealPath().toString();
            for (String f : ProcFs.mappedFiles(pid)) {
                if (f.startsWith(cache)) return true;
                if ((f.endsWith(".jsa") || f.endsWith(".aot")) && !f.startsWith(jdk) && !f.startsWith("/usr/lib/jvm")) {
                    return true;
                }
            }
        } catch (Exception ignored) {
            // gone
        }
        return false;
    }

    /** Ids of the variants the probe found available. */
    @SuppressWarnings("unchecked")
    public static List<String> available(Map<String, Object> probe) {
        List<String> ids = new ArrayList<>();
        ((Map<String, Object>) probe.get("variants")).forEach((id, r) -> {
            if (Boolean.TRUE.equals(((Map<String, Object>) r).get("available"))) ids.add(id);
        });
        return ids;
    }

    public static Map<String, Object> load(Path out) throws Exception {
        Path p = out.resolve("probe.json");
        return Files.exists(p) ? BenchJson.read(p) : run(out);
    }
}
