package dev.einhorn.springit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.einhorn.it.EinhornUnderTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spring Boot sample, an unmodified fat jar with einhorn-spring-boot-starter, as the workers of the real
 * {@code bin/einhorn -n 2 -m manual -b 127.0.0.1:0 -p app.jar java -jar app.jar}: every worker maps the preload
 * archive, serves HTTP on the port the master bound and listens on no other, acks when ready, an upgrade under load loses no request, and a graceful
 * stop lets a request in flight finish before the workers exit 0. Once with Tomcat on JDK 17, once with Jetty on
 * JDK 25.
 */
class SpringBootUnderEinhornIT {
    static final Path TOMCAT_JAR = Path.of(System.getProperty("spring.hello.jar", "../spring-hello/target/spring-hello.jar"));
    static final Path JETTY_JAR = Path.of(System.getProperty("spring.hello.jetty.jar",
            "../spring-hello-jetty/target/spring-hello-jetty.jar"));
    static final String JDK25_JAVA = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";

    /** Upgrades under load per server (-Dspring.it.upgrades=N to run more). */
    static final int UPGRADES = Integer.getInteger("spring.it.upgrades", 1);

    /** How many of the harness's 30 s waits a worker start may take. */
    static final int START_WAITS = 5;

    @TempDir
    Path dir;

    @Test
    void tomcatOnJdk17ServesOnEinhornSocketUpgradesUnderLoadAndStopsGracefully() throws Exception {
        servesUpgradesAndStops("java", TOMCAT_JAR);
    }

    @Test
    void jettyOnJdk25ServesOnEinhornSocketUpgradesUnderLoadAndStopsGracefully() throws Exception {
        assertTrue(Files.isExecutable(Path.of(JDK25_JAVA)), "JDK 25 expected at " + JDK25_JAVA);
        servesUpgradesAndStops(JDK25_JAVA, JETTY_JAR);
    }

    private void servesUpgradesAndStops(String java, Path jar) throws Exception {
        assertTrue(Files.isRegularFile(jar), jar + " (built by mvn package)");
        String app = jar.toAbsolutePath().toString();
        try (EinhornUnderTest e = EinhornUnderTest.start(dir, Map.of(), "-n", "2", "-m", "manual", "-b", "127.0.0.1:0",
                "-p", app, "--java", java, "--preload-cache", dir.resolve("cache").toString(), java, "-jar", app)) {
            List<Long> first = awaitAckedWorkers(e, 2);
            int port = e.port(0);
            for (long pid : first) {
                e.awaitLog("Received a manual ACK from " + pid);
                assertEquals(Set.of(port), ListeningPorts.of(pid), "ports worker " + pid + " listens on");
            }
            assertMapArchives(e, first);
            assertEquals(new HashSet<>(first), pidsAnswering(port, first.size()), "workers answering on " + port);

            List<Long> workers = first;
            List<Long> everyWorker = new ArrayList<>(first);
            try (HttpLoad load = new HttpLoad(port, 3)) {
                List<Long> before = workers;
                e.awaitTrue("load answered by the first workers", () -> load.answersFrom(before) > 20);
                for (int u = 0; u < UPGRADES; u++) {
                    List<Long> old = workers;
                    EinhornUnderTest.Result r = e.einhornsh("upgrade");
                    assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
                    assertTrue(r.stdout().endsWith("Upgrade done\n"), r.stdout());
                    awaitOnlyNewWorkers(e);
                    List<Long> fresh = e.workerPids();
                    assertTrue(fresh.stream().noneMatch(old::contains), "new workers " + fresh + " after " + old);
                    everyWorker.addAll(fresh);
                    long answered = load.answersFrom(fresh);
                    e.awaitTrue("load answered by the new workers", () -> load.answersFrom(fresh) > answered + 20);
                    for (long pid : old) e.awaitLog("Exited worker " + pid + " (exit status 0)");
                    assertMapArchives(e, fresh);
                    workers = fresh;
                }
                load.close();
                System.out.println(jar.getFileName() + " on " + java + ": " + UPGRADES + " upgrade(s) under load, "
                        + load.requests.get() + " requests, " + load.failures.size() + " failed; answers by pid "
                        + load.answersByPid);
                assertEquals(List.of(), load.failures, "failed requests out of " + load.requests.get());
                assertEquals(load.requests.get(), load.answersFrom(everyWorker),
                        "every request answered by one of the workers " + everyWorker + ": " + load.answersByPid);
            }
            List<Long> second = workers;
            for (long pid : second) assertEquals(Set.of(port), ListeningPorts.of(pid), "ports worker " + pid + " listens on");

            int sleepingBefore = e.count("Sleeping 3000 ms before answering");
            CompletableFuture<Http.Response> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return Http.get(port, "/slow?ms=3000");
                } catch (Exception ex) {
                    throw new RuntimeException(ex);
                }
            });
            e.awaitTrue("the slow request in a worker", () -> e.count("Sleeping 3000 ms before answering") > sleepingBefore);
            e.signal("INT");   // einhorn's graceful stop: SIGUSR2 to every worker
            Http.Response answer = slow.get(60, TimeUnit.SECONDS);
            assertEquals(200, answer.status(), answer.text());
            assertTrue(answer.text().contains("Slept 3000 ms"), answer.text());
            assertEquals(0, e.awaitExit(), e.logText());
            for (long pid : second) e.awaitLog("Exited worker " + pid + " (exit status 0)");
        }
    }

    /** Each worker runs from the generation's preload archive: state names it and /proc/PID/maps has it mapped. */
    @SuppressWarnings("unchecked")
    static void assertMapArchives(EinhornUnderTest e, List<Long> pids) throws Exception {
        Map<String, Object> children = (Map<String, Object>) e.state().get("children");
        for (long pid : pids) {
            Map<String, Object> c = (Map<String, Object>) children.get(Long.toString(pid));
            assertTrue(c != null, "worker " + pid + " in " + children);
            assertEquals(Boolean.TRUE, c.get("archive_mapped"), c.toString());
            String maps = Files.readString(Path.of("/proc/" + pid + "/maps"));
            assertTrue(maps.contains(String.valueOf(c.get("archive"))), "the archive in /proc/" + pid + "/maps: " + c);
        }
    }

    /**
     * {@link EinhornUnderTest#awaitAckedWorkers}, with room for a Spring Boot start on a busy machine (the harness waits
     * 30 s, a start here takes 3 s alone and over 30 s when several builds share the two cores).
     */
    static List<Long> awaitAckedWorkers(EinhornUnderTest e, int n) {
        for (int attempt = 1; ; attempt++) {
            try {
                return e.awaitAckedWorkers(n);
            } catch (AssertionError slow) {
                if (attempt == START_WAITS) throw slow;
            }
        }
    }

    static void awaitOnlyNewWorkers(EinhornUnderTest e) {
        for (int attempt = 1; ; attempt++) {
            try {
                e.awaitOnlyVersion(1);
                return;
            } catch (AssertionError slow) {
                if (attempt == START_WAITS) throw slow;
            }
        }
    }

    /** Asks {@code /hello} until {@code n} different workers answered (bounded); returns their pids. */
    private static Set<Long> pidsAnswering(int port, int n) throws Exception {
        Set<Long> pids = new HashSet<>();
        for (int i = 0; i < 400 && pids.size() < n; i++) {
            Http.Response r = Http.get(port, "/hello?name=einhorn");
            assertEquals(200, r.status(), r.text());
            assertTrue(r.text().contains("\"message\":\"Hello, einhorn!\""), r.text());
            pids.add(r.pid());
        }
        return pids;
    }
}
