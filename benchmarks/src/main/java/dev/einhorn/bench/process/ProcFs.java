package dev.einhorn.bench.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the benchmarks read from /proc: PSS and friends (smaps_rollup), CPU ticks (stat), mapped files (maps). */
public final class ProcFs {
    private ProcFs() {
    }

    /** One process's memory from /proc/PID/smaps_rollup, in kB. PSS is the figure to add up; RSS double-counts. */
    public record Memory(long rssKb, long pssKb, long sharedCleanKb, long sharedDirtyKb, long privateCleanKb,
                         long privateDirtyKb) {
        public static final Memory ZERO = new Memory(0, 0, 0, 0, 0, 0);

        public Memory plus(Memory o) {
            return new Memory(rssKb + o.rssKb, pssKb + o.pssKb, sharedCleanKb + o.sharedCleanKb,
                    sharedDirtyKb + o.sharedDirtyKb, privateCleanKb + o.privateCleanKb, privateDirtyKb + o.privateDirtyKb);
        }
    }

    /** Parses smaps_rollup text ({@code Pss:  1234 kB} lines; the header line with the address range is skipped). */
    public static Map<String, Long> parseSmapsRollup(String text) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) continue;
            String key = line.substring(0, colon).trim();
            if (key.contains(" ") || key.contains("-")) continue; // "55d0...-7ffc... ---p 00000000 00:00 0 [rollup]"
            String[] rest = line.substring(colon + 1).trim().split("\\s+");
            if (rest.length == 0 || rest[0].isEmpty()) continue;
            try {
                long v = Long.parseLong(rest[0]);
                if (rest.length > 1 && rest[1].equalsIgnoreCase("mB")) v *= 1024;
                out.put(key, v);
            } catch (NumberFormatException ignored) {
                // not a number field
            }
        }
        return out;
    }

    public static Memory memory(Map<String, Long> rollup) {
        return new Memory(rollup.getOrDefault("Rss", 0L), rollup.getOrDefault("Pss", 0L),
                rollup.getOrDefault("Shared_Clean", 0L), rollup.getOrDefault("Shared_Dirty", 0L),
                rollup.getOrDefault("Private_Clean", 0L), rollup.getOrDefault("Private_Dirty", 0L));
    }

    public static Memory memory(long pid) throws IOException {
        return memory(parseSmapsRollup(Files.readString(Path.of("/proc/" + pid + "/smaps_rollup"))));
    }

    /** utime and stime (fields 14 and 15 of proc(5)) in clock ticks; the command name may hold spaces and ')'. */
    public static long[] parseStatCpu(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        // f[0] is field 3 (state), so field n is f[n - 3]
        return new long[] {Long.parseLong(f[14 - 3]), Long.parseLong(f[15 - 3])};
    }

    /** utime + stime of a process, in clock ticks. */
    public static long cpuTicks(long pid) throws IOException {
        long[] t = parseStatCpu(Files.readString(Path.of("/proc/" + pid + "/stat")));
        return t[0] + t[1];
    }

    private static volatile long clockTicks;

    /** Clock ticks per second (getconf CLK_TCK; 100 on Linux if that fails). */
    public static long clockTicksPerSecond() {
        if (clockTicks == 0) {
            long t = 100;
            try {
                Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
                String s = new String(p.getInputStream().readAllBytes()).trim();
                if (p.waitFor() == 0) t = Long.parseLong(s);
            } catch (IOException | NumberFormatException e) {
                // keep 100
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            clockTicks = t;
        }
        return clockTicks;
    }

    /** File paths mapped by a process (/proc/PID/maps, sixth column), in order, duplicates kept. */
    public static List<String> mappedFiles(long pid) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
            String[] f = line.trim().split("\\s+", 6);
            if (f.length == 6 && f[5].startsWith("/")) out.add(f[5]);
        }
        return out;
    }

    public static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int close = stat.lastIndexOf(')');
            return stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }
}
