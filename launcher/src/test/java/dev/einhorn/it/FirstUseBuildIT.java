package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/einhorn in a checkout that was never built runs the build first and says so in one line; Maven's console
 * output, colour codes included, never reaches the user's terminal unless the build fails, and then without
 * escape sequences. The checkout is a copy of bin/; {@code mvn} is a stand-in on the PATH that writes the colour
 * resets Maven 3.8 writes even with {@code -q -B} and then puts the real build's jars in place (a real build of
 * the whole project would take minutes).
 */
class FirstUseBuildIT {
    private static final String ESC = "\u001b";

    @TempDir
    Path dir;

    private Path checkout() throws IOException {
        Path home = dir.resolve("checkout");
        Files.createDirectories(home.resolve("bin/lib"));
        for (String f : List.of("bin/einhorn", "bin/einhornsh", "bin/lib/jvm.sh")) {
            Files.copy(EinhornUnderTest.REPO.resolve(f), home.resolve(f));
        }
        return home;
    }

    private Path fakeMaven(String body) throws IOException {
        Path bin = dir.resolve("fakebin");
        Files.createDirectories(bin);
        Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, "#!/usr/bin/env bash\nprintf '\\033[0m\\033[0m'\nprintf '\\033[1m[INFO]\\033[m\\n' >&2\n" + body);
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    private EinhornUnderTest.Result run(Path home, Path fakeBin, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(home.resolve("bin/einhorn").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("PATH", fakeBin + ":" + System.getenv("PATH"));
        pb.environment().put("EINHORN_MASTER_ARCHIVE", "off");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/einhorn did not exit");
        }
        return new EinhornUnderTest.Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void theFirstUseBuildIsQuiet() throws Exception {
        Path home = checkout();
        Path target = EinhornUnderTest.REPO.resolve("launcher/target");
        Path bin = fakeMaven("mkdir -p launcher/target && cp '" + target.resolve("launcher.jar") + "' launcher/target/ && cp -r '"
                + target.resolve("lib") + "' launcher/target/lib\n");
        EinhornUnderTest.Result r = run(home, bin, "--version");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().contains("Einhorn 0.8.2"), r.stdout());
        assertEquals("einhorn: building the launcher on first use (mvn package)...\n", r.stderr());
        assertFalse(r.stdout().contains(ESC), r.stdout());
        EinhornUnderTest.Result again = run(home, bin, "--version");
        assertEquals("", again.stderr(), "built once");
    }

    @Test
    void aFailedBuildShowsMavensOutputWithoutEscapes() throws Exception {
        Path home = checkout();
        Path bin = fakeMaven("printf '\\033[1;31m[ERROR]\\033[m cannot resolve a dependency\\n'\nexit 1\n");
        EinhornUnderTest.Result r = run(home, bin, "--version");
        assertEquals(1, r.exitCode());
        assertTrue(r.stderr().contains("[ERROR] cannot resolve a dependency\n"), r.stderr());
        assertTrue(r.stderr().contains("einhorn: the build failed; run 'mvn package' in " + home + " to see why"), r.stderr());
        assertFalse(r.stderr().contains(ESC) || r.stdout().contains(ESC), r.stderr());
    }
}
