package dev.einhorn.preload;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * What the master reads of the app jar: its manifest only (the class list and the entry point are the training
 * run's business, docs/PRELOAD.md). A Spring Boot executable jar ({@code Start-Class}, classes under
 * {@code BOOT-INF/}) has the layout {@code spring-boot} and runs extracted; any other jar is {@code plain}, with
 * the jars its manifest {@code Class-Path} names (recursively), which key the archive with it.
 *
 * @param jar               the jar, absolute
 * @param layout            {@link #PLAIN} or {@link #SPRING_BOOT}
 * @param manifestClassPath the existing jars of its manifest {@code Class-Path} (plain layout only)
 * @param bundlesEinhorn    a Spring Boot jar: whether {@code BOOT-INF/lib} holds the einhorn starter or
 *                          preload-runtime, without which its workers bind {@code server.port} and never ACK
 */
record AppJar(Path jar, String layout, List<Path> manifestClassPath, boolean bundlesEinhorn, String mainClass) {
    static final String PLAIN = "plain";
    static final String SPRING_BOOT = "spring-boot";

    boolean springBoot() {
        return SPRING_BOOT.equals(layout);
    }

    /** @throws IOException when the file is not a readable jar */
    static AppJar read(Path jar) throws IOException {
        Manifest m;
        boolean bootInf;
        boolean einhorn;
        try (JarFile jf = new JarFile(jar.toFile())) {
            m = jf.getManifest();
            // the central directory is in memory already: no entry is read (a jar need not list directories)
            bootInf = jf.stream().anyMatch(e -> e.getName().startsWith("BOOT-INF/"));
            einhorn = jf.stream().map(e -> e.getName()).anyMatch(n -> n.startsWith("BOOT-INF/lib/einhorn-spring-boot-starter")
                    || n.startsWith("BOOT-INF/lib/preload-runtime"));
        }
        String start = attribute(m, "Start-Class");
        if (start != null && (bootInf || attribute(m, "Spring-Boot-Classes") != null)) {
            return new AppJar(jar, SPRING_BOOT, List.of(), einhorn, start);
        }
        Set<Path> seen = new LinkedHashSet<>();
        addClassPath(jar, m, seen);
        seen.remove(jar);
        return new AppJar(jar, PLAIN, List.copyOf(seen), true, attribute(m, Attributes.Name.MAIN_CLASS.toString()));
    }

    private static void addClassPath(Path jar, Manifest m, Set<Path> seen) {
        String cp = attribute(m, Attributes.Name.CLASS_PATH.toString());
        if (cp == null) return;
        for (String rel : cp.split("\\s+")) {
            Path p;
            try {
                p = Path.of(jar.getParent().toUri().resolve(new URI(null, null, rel, null).getRawPath())).normalize();
            } catch (URISyntaxException | RuntimeException e) {
                continue; // the JVM's class loader decides about URLs we cannot follow
            }
            if (!Files.isRegularFile(p) || !seen.add(p)) continue;
            try (JarFile jf = new JarFile(p.toFile())) {
                addClassPath(p, jf.getManifest(), seen);
            } catch (IOException e) {
                // hashed as a file all the same
            }
        }
    }

    private static String attribute(Manifest m, String name) {
        if (m == null) return null;
        String v = m.getMainAttributes().getValue(name);
        return v == null || v.isBlank() ? null : v.trim();
    }
}
