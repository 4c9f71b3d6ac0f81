package dev.einhorn.bench;

import dev.einhorn.bench.process.EinhornProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/** The machine and JDKs of a run, for RESULTS.md. */
public final class Machine {
    private Machine() {
    }

    public static Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        m.put("nproc", Integer.toString(Runtime.getRuntime().availableProcessors()));
        m.put("CPU", cpuModel());
        m.put("memory", memTotal());
        m.put("kernel", run("uname", "-srm"));
        m.put("OS", osName());
        m.put("JDK 17 (workers)", javaVersion(Variants.jdk17()));
        m.put("JDK 25 (workers)", javaVersion(Variants.jdk25()));
        m.put("master JVM", masterJava());
        m.put("python3", run("python3", "--version"));
        m.put("commit", run("git", "-C", EinhornProcess.repo().toString(), "log", "-1", "--format=%h %s"));
        return m;
    }

    /** The 1, 5 and 15 minute load averages ({@code /proc/loadavg}), or "unknown". */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * The java bin/einhorn runs the master with (bin/lib/jvm.sh: EINHORN_MASTER_JAVA, else JAVA_HOME's, else the
     * one on PATH) and its version.
     */
    static String masterJava() {
        String java = run("bash", "-c", "source \"$1/bin/lib/jvm.sh\" && printf '%s' \"$EINHORN_JAVA\"", "_",
                EinhornProcess.repo().toString());
        if (java.isBlank() || java.equals("unavailable")) return "unknown";
        String shown = java.equals("java") ? "java on PATH" : Path.of(java).getParent().getParent().getFileName().toString();
        return shown + ": " + run(java, "-version");
    }

    static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) return l.substring(l.indexOf(':') + 1).trim();
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "unknown";
    }

    static String memTotal() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(l.replaceAll("[^0-9]", ""));
                    return String.format(java.util.Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // fall through
        }
        return "unknown";
    }

    static String osName() {
        try {
            for (String l : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (l.startsWith("PRETTY_NAME=")) return l.substring(12).replace("\"", "");
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "unknown";
    }

    static String javaVersion(Path home) {
        Path java = home.resolve("bin/java");
        if (!Files.isExecutable(java)) return "not installed (" + home + ")";
        return run(java.toString(), "-version") + " (" + home.getFileName() + ")";
    }

    static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            String[] lines = s.split("\n");
            // java -version: the runtime line says the build
            return lines.length > 1 && lines[0].contains("version") ? lines[0] + "; " + lines[1] : lines[0];
        } catch (IOException e) {
            return "unavailable";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unavailable";
        }
    }
}
