package dev.einhorn.bench;

import dev.einhorn.bench.process.EinhornProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;

/**
 * The worker set-ups the benchmarks compare, as einhorn arguments. All paths come from the environment so that
 * {@code benchmarks/run} and a hand-run JMH fork build the same command lines:
 * <ul>
 *   <li>{@code BENCH_JDK17}, {@code BENCH_JDK25}: JDK homes (default the Debian JDK 17 and Temurin 25);</li>
 *   <li>{@code BENCH_APP_JAR}: the app (default {@code sample-app/target/http-hello.jar}); while it does not exist
 *       the app is the TimeServer sample ({@code sample-app.jar}), a stand-in that is said so in every figure;</li>
 *   <li>{@code BENCH_PRELOAD_CACHE}: the {@code --preload-cache} directory of the preloaded variants.</li>
 * </ul>
 */
public final class Variants {
    public static final String ADD_OPENS = "--add-opens";
    public static final String OPENS_VALUE = "java.base/sun.nio.ch=ALL-UNNAMED";

    private Variants() {
    }

    /** The app under test: a runnable jar (-jar) or a class on a class path, speaking HTTP or one line. */
    public record App(String name, Path jar, String mainClass, boolean http, boolean standIn) {
        public List<String> javaArgs() {
            List<String> a = new ArrayList<>(List.of(ADD_OPENS, OPENS_VALUE));
            if (mainClass == null) {
                a.add("-jar");
                a.add(jar.toString());
            } else {
                a.add("-cp");
                a.add(jar.toString());
                a.add(mainClass);
            }
            return a;
        }
    }

    /** One way of running workers: einhorn's arguments after its own socket/pid/lock options. */
    public record Variant(String id, String label, List<String> einhornArgs, String unavailable, boolean preload,
                          Path java) {
        public boolean available() {
            return unavailable == null;
        }
    }

    public static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }

    public static Path repo() {
        return EinhornProcess.repo();
    }

    /** s with this checkout's absolute path taken out (paths inside it become relative to its root). */
    public static String inRepo(String s) {
        String root = repo().toString();
        return s.replace(root + "/", "").replace(root, ".");
    }

    public static Path jdk17() {
        return Path.of(env("BENCH_JDK17", "/usr/lib/jvm/java-17-openjdk-amd64"));
    }

    public static Path jdk25() {
        return Path.of(env("BENCH_JDK25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
    }

    public static Path preloadCache() {
        return Path.of(env("BENCH_PRELOAD_CACHE", repo().resolve("benchmarks/out/preload-cache").toString()));
    }

    static Path java(Path home) {
        return home.resolve("bin/java");
    }

    /** http-hello if it exists (with a Main-Class), else the TimeServer sample as a stand-in. */
    public static App app() {
        Path jar = Path.of(env("BENCH_APP_JAR", repo().resolve("sample-app/target/http-hello.jar").toString()));
        if (Files.isRegularFile(jar)) {
            String main = mainClass(jar);
            return new App("http-hello", jar, main == null ? env("BENCH_APP_MAIN", "dev.einhorn.samples.HttpHello") : null,
                    true, false);
        }
        Path sample = repo().resolve("sample-app/target/sample-app.jar");
        return new App("TimeServer (stand-in)", sample, "dev.einhorn.samples.TimeServer",
                false, true);
    }

    static String mainClass(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.getManifest() == null ? null : j.getManifest().getMainAttributes().getValue("Main-Class");
        } catch (IOException e) {
            return null;
        }
    }

    /** The ids of {@link #all()}, in report order. */
    public static final List<String> IDS = List.of("plain17", "plain25", "boot17", "boot25", "cds17", "aot25", "python",
            "hello17", "hello25");

    public static Map<String, Variant> all() {
        App app = app();
        Map<String, Variant> m = new LinkedHashMap<>();
        m.put("plain17", plain("plain17", "plain java, JDK 17", app, jdk17()));
        m.put("plain25", plain("plain25", "plain java, JDK 25", app, jdk25()));
        m.put("boot17", bootstrap("boot17", "preloaded worker's command without the archive, JDK 17", app, jdk17()));
        m.put("boot25", bootstrap("boot25", "preloaded worker's command without the archive, JDK 25", app, jdk25()));
        m.put("cds17", preloaded("cds17", "preloaded (-p), AppCDS, JDK 17", app, jdk17()));
        m.put("aot25", preloaded("aot25", "preloaded (-p), AOT cache, JDK 25", app, jdk25()));
        Path py = repo().resolve("benchmarks/workers/ack_server.py");
        m.put("python", new Variant("python", "python3 worker (non-JVM reference)",
                List.of("-m", "manual", "-b", "127.0.0.1:0", "--", python(), py.toString()),
                which("python3") ? null : "python3 is not on the PATH", false, null));
        m.put("hello17", hello("hello17", "JVM hello world, JDK 17 (floor)", jdk17()));
        m.put("hello25", hello("hello25", "JVM hello world, JDK 25 (floor)", jdk25()));
        return m;
    }

    public static Variant byId(String id) {
        Variant v = all().get(id);
        if (v == null) throw new IllegalArgumentException("unknown variant " + id + "; known: " + IDS);
        return v;
    }

    private static String missingJdk(Path home) {
        return Files.isExecutable(java(home)) ? null : "no JDK at " + home;
    }

    private static Variant plain(String id, String label, App app, Path home) {
        List<String> args = new ArrayList<>(List.of("-m", "manual", "-b", "127.0.0.1:0", "--", java(home).toString()));
        args.addAll(app.javaArgs());
        String why = missingJdk(home);
        if (why == null && !Files.isRegularFile(app.jar())) why = "app jar " + app.jar() + " is not built";
        return new Variant(id, label + " — " + app.name(), args, why, false, java(home));
    }

    /**
     * {@code -p JAR --java JAVA --preload-cache DIR -- JAVA ... -jar JAR}: the command after {@code --} is what a
     * master without preload runs, so the variant still starts (and the probe sees {@code preloaded: false}).
     * {@code BENCH_PRELOAD_ARGS} replaces the part before {@code --} ({JAR}, {JAVA}, {CACHE} substituted).
     */
    private static Variant preloaded(String id, String label, App app, Path home) {
        String template = env("BENCH_PRELOAD_ARGS", "-p {JAR} --java {JAVA} --preload-cache {CACHE}");
        List<String> args = new ArrayList<>(List.of("-m", "manual", "-b", "127.0.0.1:0"));
        for (String w : template.trim().split("\\s+")) {
            args.add(w.replace("{JAR}", app.jar().toString()).replace("{JAVA}", java(home).toString())
                    .replace("{CACHE}", preloadCache().resolve(id).toString()));
        }
        // a cold preloaded worker: no warm standby (-p keeps one by default; StandbyRun measures them)
        if (!args.contains("--standby")) args.addAll(List.of("--standby", "0"));
        args.add("--");
        args.add(java(home).toString());
        args.addAll(app.javaArgs());
        String why = missingJdk(home);
        if (why == null && app.standIn()) why = "http-hello.jar is not built (sample-app/target/http-hello.jar): "
                + "the preloaded variants need the real app";
        return new Variant(id, label + " — " + app.name(), args, why, true, java(home));
    }

    /** The flags -p adds to a worker (Preloader): the training run and every worker get them. */
    static final List<String> PRELOAD_FLAGS = List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0",
            ADD_OPENS, OPENS_VALUE);

    /**
     * The preloaded worker's command exactly as the master builds it for {@code -p} (same flags, class path,
     * {@code Bootstrap} entry) minus {@code -XX:SharedArchiveFile}/{@code -XX:AOTCache}, run as a plain command:
     * against the preloaded variant it isolates what the archive itself does.
     */
    private static Variant bootstrap(String id, String label, App app, Path home) {
        List<String> args = new ArrayList<>(List.of("-m", "manual", "-b", "127.0.0.1:0", "--", java(home).toString(),
                ADD_OPENS, OPENS_VALUE));
        args.addAll(PRELOAD_FLAGS);
        Path runtime = runtimeJar();
        String[] entry = entry(app.jar());
        args.addAll(List.of("-cp", runtime + ":" + app.jar(), "dev.einhorn.runtime.Bootstrap", String.valueOf(entry[0]),
                entry[1]));
        String why = missingJdk(home);
        if (why == null && app.standIn()) why = "http-hello.jar is not built: the Bootstrap variants need the real app";
        if (why == null && !Files.isRegularFile(runtime)) why = "the preload-runtime jar " + runtime + " is not built";
        if (why == null && entry[0] == null) why = app.jar() + " names no Einhorn-Main or Main-Class";
        return new Variant(id, label + " — " + app.name(), args, why, false, java(home));
    }

    /** The preload-runtime jar the master puts first on a preloaded worker's class path (launcher/target/lib). */
    static Path runtimeJar() {
        Path lib = repo().resolve("launcher/target/lib");
        try (var s = Files.list(lib)) {
            return s.filter(p -> p.getFileName().toString().matches("preload-runtime-.*\\.jar")).sorted().findFirst()
                    .orElse(lib.resolve("preload-runtime.jar"));
        } catch (IOException e) {
            return lib.resolve("preload-runtime.jar");
        }
    }

    /** {class, method} Preloader enters for a jar: Einhorn-Main's einhornMain, else Main-Class's main. */
    static String[] entry(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            if (j.getManifest() != null) {
                String e = j.getManifest().getMainAttributes().getValue("Einhorn-Main");
                if (e != null) return new String[] {e, "einhornMain"};
                return new String[] {j.getManifest().getMainAttributes().getValue("Main-Class"), "main"};
            }
        } catch (IOException e) {
            // not a jar
        }
        return new String[] {null, "main"};
    }

    private static Variant hello(String id, String label, Path home) {
        Path jar = repo().resolve("benchmarks/target/benchmarks-hello.jar");
        String why = missingJdk(home);
        if (why == null && !Files.isRegularFile(jar)) why = jar + " is not built";
        return new Variant(id, label, List.of("-m", "manual", "--", java(home).toString(), "-jar", jar.toString()),
                why, false, java(home));
    }

    /**
     * The real python3 interpreter ({@code sys.executable}), not a version-manager shim on the PATH (a pyenv shim
     * is a shell script that adds ~100 ms to every start); {@code BENCH_PYTHON} overrides.
     */
    public static String python() {
        String p = System.getenv("BENCH_PYTHON");
        if (p != null && !p.isBlank()) return p;
        try {
            Process pr = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)").redirectErrorStream(true).start();
            String out = new String(pr.getInputStream().readAllBytes()).trim();
            if (pr.waitFor() == 0 && Files.isExecutable(Path.of(out))) return out;
        } catch (IOException e) {
            // fall back to the PATH
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "python3";
    }

    static boolean which(String cmd) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, cmd))) return true;
        }
        return false;
    }
}
