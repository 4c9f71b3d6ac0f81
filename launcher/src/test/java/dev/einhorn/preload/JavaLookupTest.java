package dev.einhorn.preload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.einhorn.cli.CliResult;
import dev.einhorn.cli.EinhornCli;
import dev.einhorn.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which java a preload uses: {@code --java} by path or by name on PATH, else the command's, JAVA_HOME, PATH. */
class JavaLookupTest {
    @TempDir
    Path dir;

    private Path fakeJava(String sub) throws Exception {
        Path bin = Files.createDirectories(dir.resolve(sub));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return java;
    }

    private static String javaFor(Map<String, String> env, String... args) throws Exception {
        Config c = ((CliResult.Run) EinhornCli.parse(args, Map.of())).config();
        Preloader p = new Preloader(c, env);
        return p.javaFor(JavaCommand.parse(c.command()).orElseThrow());
    }

    @Test
    void aBareJavaNameIsLookedUpOnPathNotInTheWorkingDirectory() throws Exception {
        Path java = fakeJava("bin");
        assertEquals(java.toString(), javaFor(Map.of("PATH", "/nonexistent:" + java.getParent()),
                "--java", "java", "-p", "app.jar", "java", "-jar", "app.jar"));
    }

    @Test
    void aBareNameNotOnPathIsAPreciseFallback() {
        Preloader.Postload e = assertThrows(Preloader.Postload.class, () -> javaFor(Map.of("PATH", dir.toString()),
                "--java", "java-nope", "-p", "app.jar", "app.jar"));
        assertTrue(e.getMessage().contains("--java java-nope is not an executable on PATH"), e.getMessage());
    }

    @Test
    void aPathIsTakenAsGivenAndJavaHomeComesBeforePath() throws Exception {
        Path home = fakeJava("home/bin");
        Path other = fakeJava("other");
        assertEquals(other.toString(), javaFor(Map.of(), "--java", other.toString(), "-p", "app.jar", "app.jar"));
        assertEquals(home.toString(), javaFor(Map.of("JAVA_HOME", home.getParent().getParent().toString(),
                "PATH", other.getParent().toString()), "-p", "app.jar", "app.jar"));
        assertEquals(other.toString(), javaFor(Map.of("PATH", other.getParent().toString()), "-p", "app.jar", "app.jar"));
    }
}
