package dev.einhorn.preload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which worker commands {@code -p} can preload ({@code app.jar ARGS} and {@code java [options] -jar app.jar ARGS})
 * and which it leaves alone, and the ordinary command it falls back to.
 */
class JavaCommandTest {
    private static Optional<JavaCommand> parse(String... words) {
        return JavaCommand.parse(List.of(words));
    }

    @Test
    void aBareJarIsTheAppWithItsArguments() {
        JavaCommand c = parse("build/app.jar", "--port", "8080").orElseThrow();
        assertNull(c.java());
        assertEquals(List.of(), c.jvmOptions());
        assertEquals(Path.of("build/app.jar"), c.jar());
        assertEquals(List.of("--port", "8080"), c.appArgs());
    }

    @Test
    void javaDashJarKeepsTheJavaItsOptionsInOrderAndTheAppArguments() {
        JavaCommand c = parse("/opt/jdk/bin/java", "-Xmx256m", "-Dfoo=bar", "-XX:+UseSerialGC", "-jar", "app.jar",
                "serve", "-Xmx1g").orElseThrow();
        assertEquals("/opt/jdk/bin/java", c.java());
        assertEquals(List.of("-Xmx256m", "-Dfoo=bar", "-XX:+UseSerialGC"), c.jvmOptions());
        assertEquals(Path.of("app.jar"), c.jar());
        // after the jar everything belongs to the app, even what looks like a JVM option
        assertEquals(List.of("serve", "-Xmx1g"), c.appArgs());
    }

    @Test
    void optionsThatTakeAValueKeepTheirValueAndAreNotMistakenForAMainClass() {
        JavaCommand c = parse("java", "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-cp", "lib/*",
                "--enable-native-access", "ALL-UNNAMED", "-jar", "app.jar").orElseThrow();
        assertEquals(List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED", "-cp", "lib/*",
                "--enable-native-access", "ALL-UNNAMED"), c.jvmOptions());
        assertEquals(List.of(), c.appArgs());
    }

    @Test
    void aMainClassIsNotTheJarForm() {
        assertTrue(parse("java", "-cp", "app.jar", "com.example.Main").isEmpty());
        assertTrue(parse("java", "com.example.Main", "-jar", "app.jar").isEmpty());
    }

    @Test
    void aModuleIsNotTheJarForm() {
        assertTrue(parse("java", "-m", "app/com.example.Main").isEmpty());
        assertTrue(parse("java", "--module", "app/com.example.Main").isEmpty());
        assertTrue(parse("java", "--module=app/com.example.Main").isEmpty());
        assertTrue(parse("java", "-p", "mods", "-m", "app").isEmpty());
    }

    @Test
    void javaWithoutAJarIsRefused() {
        assertTrue(parse("java", "-jar").isEmpty(), "-jar with nothing after it");
        assertTrue(parse("java", "-Xmx1g").isEmpty(), "no -jar at all");
        assertTrue(parse("java").isEmpty());
        assertTrue(parse("java", "-cp").isEmpty(), "an option missing its value");
    }

    @Test
    void otherProgramsAndAnEmptyCommandAreNotJava() {
        assertTrue(parse().isEmpty());
        assertTrue(parse("python3", "app.py").isEmpty());
        assertTrue(parse("/usr/bin/javac", "-jar", "app.jar").isEmpty());
        assertTrue(parse("sh", "-c", "java -jar app.jar").isEmpty());
        assertTrue(parse("app.jar.sh").isEmpty());
    }

    @Test
    void theColdCommandIsTheSameAppStartedWithTheGivenJava() {
        JavaCommand c = parse("java", "-Xss512k", "-Dmode=prod", "-jar", "app.jar", "a", "b").orElseThrow();
        assertEquals(List.of("/opt/jdk21/bin/java", "-Xss512k", "-Dmode=prod", "-jar", "app.jar", "a", "b"),
                c.coldCommand("/opt/jdk21/bin/java"));
    }

    @Test
    void theColdCommandOfABareJarAddsOnlyJavaAndDashJar() {
        assertEquals(List.of("/usr/bin/java", "-jar", "app.jar", "x"),
                parse("app.jar", "x").orElseThrow().coldCommand("/usr/bin/java"));
    }
}
