package dev.einhorn.preload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the master learns from a jar's manifest: the layout, and the Class-Path jars that key its archive. */
class AppJarTest {
    @TempDir
    Path dir;

    @Test
    void aSpringBootExecutableJarHasTheSpringBootLayout() throws IOException {
        Path jar = jar("boot.jar", Map.of("Main-Class", "org.springframework.boot.loader.launch.JarLauncher",
                "Start-Class", "com.example.App"), "BOOT-INF/classes/com/example/App.class", "BOOT-INF/lib/x.jar");
        assertEquals(AppJar.SPRING_BOOT, AppJar.read(jar).layout());
    }

    @Test
    void aSpringBootJarWithoutTheStarterOrRuntimeIsToldApart() throws IOException {
        Map<String, String> boot = Map.of("Start-Class", "com.example.App");
        assertFalse(AppJar.read(jar("bare.jar", boot, "BOOT-INF/classes/com/example/App.class",
                "BOOT-INF/lib/spring-web-6.2.jar")).bundlesEinhorn());
        assertTrue(AppJar.read(jar("starter.jar", boot, "BOOT-INF/classes/com/example/App.class",
                "BOOT-INF/lib/einhorn-spring-boot-starter-0.1.0.jar")).bundlesEinhorn());
        assertTrue(AppJar.read(jar("runtime.jar", boot, "BOOT-INF/classes/com/example/App.class",
                "BOOT-INF/lib/preload-runtime-0.1.0.jar")).bundlesEinhorn());
    }

    @Test
    void aPlainJarKeysTheExistingJarsOfItsManifestClassPathRecursively() throws IOException {
        Path lib = jar("lib/b.jar", Map.of("Class-Path", "c.jar"), "B.class");
        Path c = jar("lib/c.jar", Map.of(), "C.class");
        Path app = jar("app.jar", Map.of("Main-Class", "A", "Class-Path", "lib/b.jar lib/missing.jar"), "A.class");
        AppJar read = AppJar.read(app);
        assertEquals(AppJar.PLAIN, read.layout());
        assertEquals(List.of(lib, c), read.manifestClassPath());
    }

    @Test
    void aJarWithStartClassButNoBootInfIsPlain() throws IOException {
        Path jar = jar("odd.jar", Map.of("Start-Class", "A"), "A.class");
        assertEquals(AppJar.PLAIN, AppJar.read(jar).layout());
    }

    private Path jar(String name, Map<String, String> attributes, String... entries) throws IOException {
        Path jar = dir.resolve(name);
        Files.createDirectories(jar.getParent());
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.forEach((k, v) -> mf.getMainAttributes().putValue(k, v));
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            for (String e : entries) {
                out.putNextEntry(new JarEntry(e));
                out.closeEntry();
            }
        }
        return jar.toRealPath();
    }
}
