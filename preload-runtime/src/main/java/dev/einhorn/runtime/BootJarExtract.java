package dev.einhorn.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * {@code BootJarExtract FAT_JAR DEST}: lays out a Spring Boot executable jar the way Spring Boot 3.3+'s
 * {@code java -Djarmode=tools -jar app.jar extract --destination DEST} does, for jars of older Boot versions
 * that lack that tool: {@code DEST/app.jar} holds {@code BOOT-INF/classes} (and the jar's own {@code META-INF}),
 * with {@code Main-Class} = the fat jar's {@code Start-Class} and a {@code Class-Path} naming every
 * {@code DEST/lib/*.jar} copied from {@code BOOT-INF/lib} (in {@code BOOT-INF/classpath.idx} order when
 * present). Run by the master's preparation child, never in the master.
 */
public final class BootJarExtract {
    private static final String CLASSES = "BOOT-INF/classes/";
    private static final String LIB = "BOOT-INF/lib/";

    private BootJarExtract() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: " + BootJarExtract.class.getName() + " FAT_JAR DEST");
            System.exit(2);
        }
        extract(Path.of(args[0]), Path.of(args[1]));
    }

    static void extract(Path fatJar, Path dest) throws IOException {
        Path lib = Files.createDirectories(dest.resolve("lib"));
        try (JarFile fat = new JarFile(fatJar.toFile())) {
            Manifest in = fat.getManifest();
            String start = in == null ? null : in.getMainAttributes().getValue("Start-Class");
            if (start == null) throw new IOException(fatJar + " has no Start-Class: not a Spring Boot executable jar");
            List<String> libs = new ArrayList<>();
            JarEntry idx = fat.getJarEntry("BOOT-INF/classpath.idx");
            if (idx != null) {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(fat.getInputStream(idx),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        String l = line.trim().replaceFirst("^- ", "").replace("\"", "");
                        if (l.startsWith(LIB)) libs.add(l.substring(LIB.length()));
                    }
                }
            }
            for (Enumeration<JarEntry> e = fat.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                String n = entry.getName();
                if (entry.isDirectory() || !n.startsWith(LIB) || !n.endsWith(".jar")) continue;
                String name = n.substring(LIB.length());
                if (name.contains("/") || name.startsWith("spring-boot-jarmode-")) continue;
                if (!libs.contains(name)) libs.add(name);
                try (InputStream s = fat.getInputStream(entry)) {
                    Files.copy(s, lib.resolve(name));
                }
            }
            libs.removeIf(name -> !Files.isRegularFile(lib.resolve(name)));

            Manifest out = new Manifest();
            Attributes a = out.getMainAttributes();
            in.getMainAttributes().forEach((k, v) -> {
                String key = k.toString();
                if (!key.startsWith("Spring-Boot-") && !key.equals("Start-Class")) a.put(k, v);
            });
            a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
            a.put(Attributes.Name.MAIN_CLASS, start);
            if (!libs.isEmpty()) {
                a.put(Attributes.Name.CLASS_PATH, String.join(" ", libs.stream().map(l -> "lib/" + l).toList()));
            }
            try (OutputStream o = Files.newOutputStream(dest.resolve("app.jar"));
                    JarOutputStream jar = new JarOutputStream(o, out)) {
                java.util.Set<String> written = new java.util.HashSet<>();
                for (Enumeration<JarEntry> e = fat.entries(); e.hasMoreElements(); ) {
                    JarEntry entry = e.nextElement();
                    String n = entry.getName();
                    String target;
                    if (n.startsWith(CLASSES)) {
                        target = n.substring(CLASSES.length());
                    } else if (n.startsWith("META-INF/") && !n.equals("META-INF/MANIFEST.MF")) {
                        target = n;
                    } else {
                        continue; // the loader (org/springframework/boot/loader), BOOT-INF/lib, the index files
                    }
                    if (target.isEmpty() || !written.add(target)) continue;
                    jar.putNextEntry(new JarEntry(target));
                    if (!entry.isDirectory()) {
                        try (InputStream s = fat.getInputStream(entry)) {
                            s.transferTo(jar);
                        }
                    }
                    jar.closeEntry();
                }
            }
        }
    }
}
