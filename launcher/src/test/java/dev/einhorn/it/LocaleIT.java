package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master under a locale whose digits are not ASCII (LC_ALL=ar_EG.UTF-8, compiled here with localedef into a
 * directory of the test's own and found through LOCPATH): it used to die at start, because jffi named its native
 * stub with the default locale's digits (libjffi-١.٢.so). Now it serves, its replies and einhornsh's output are
 * Einhorn's, and the workers still get the operator's locale.
 */
class LocaleIT {
    @TempDir
    Path dir;

    private Map<String, String> arabicLocale() throws Exception {
        Path locales = Files.createDirectories(dir.resolve("locales"));
        Process p = new ProcessBuilder("localedef", "-i", "ar_EG", "-f", "UTF-8", locales.resolve("ar_EG.UTF-8").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "localedef finishes");
        assumeTrue(p.exitValue() == 0 && Files.exists(locales.resolve("ar_EG.UTF-8")),
                "this machine cannot compile the ar_EG locale (glibc's locale sources): " + out);
        return Map.of("LOCPATH", locales.toString(), "LC_ALL", "ar_EG.UTF-8", "LANG", "ar_EG.UTF-8");
    }

    @Test
    void theMasterServesUnderALocaleWithOtherDigits() throws Exception {
        Map<String, String> env = arabicLocale();
        Path seen = dir.resolve("worker-locale");
        try (EinhornUnderTest e = EinhornUnderTest.start(dir, env, "-m", "manual", "-b", "127.0.0.1:0",
                "sh", "-c", "echo \"$LC_ALL\" > \"$1\"; exec python3 \"$2\"", "sh", seen.toString(),
                EinhornUnderTest.WORKERS.resolve("pid_server.py").toString())) {
            List<Long> workers = e.awaitAckedWorkers(1);
            assertEquals(Long.toString(workers.get(0)), EinhornUnderTest.ask(e.port(0)), "the worker serves");
            assertEquals("ar_EG.UTF-8\n", Files.readString(seen), "the worker gets the operator's locale");

            ProcessBuilder shell = new ProcessBuilder(EinhornUnderTest.REPO.resolve("bin/einhornsh").toString(),
                    "-d", e.socket.toString(), "-e", "state")
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectErrorStream(true);
            shell.environment().putAll(env);
            Process p = shell.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "einhornsh finishes");
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("    " + workers.get(0) + ":\n"), "the worker's pid in ASCII digits: " + out);
            assertTrue(out.chars().noneMatch(c -> c >= 0x0660 && c <= 0x0669), "no Arabic-Indic digit: " + out);
        }
    }
}
