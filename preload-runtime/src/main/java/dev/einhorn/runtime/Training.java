package dev.einhorn.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The main class of the master's training run, the JVM that writes a generation's class-data archive (its
 * command line carries {@code -XX:ArchiveClassesAtExit} or {@code -XX:AOTCacheOutput} and otherwise the
 * workers' flags and class path): {@code Training RESULT LAYOUT APP_JAR [APP_ARGS...]}.
 *
 * <p>Everything the master must not do in its own heap happens here (docs/PRELOAD.md): list the classes of every
 * jar on the class path and of their manifests' {@code Class-Path}, load them (without initializing them),
 * find the entry point (the manifest's {@code Einhorn-Main}, else the one public class of APP_JAR declaring
 * {@code public static void einhornMain(String[])}, else its {@code Main-Class}), and write what it found to
 * RESULT (a properties file, written before any app code runs, so a crash in the app still leaves it). Then the
 * app's own warm-up: {@code ENTRY.einhornPreload()} when declared; else, for a Spring Boot app (LAYOUT
 * {@code spring-boot}), its real main with {@code spring.context.exit=onRefresh}, which refreshes the context
 * (what a real start loads) and exits before the web server starts. Exits 0 so the JVM writes the archive.
 */
public final class Training {
    /** The entry method a preloaded worker enters when the app declares it. */
    public static final String ENTRY_METHOD = "einhornMain";
    static final String MANIFEST_ATTRIBUTE = "Einhorn-Main";
    private static final byte[] ENTRY_BYTES = ENTRY_METHOD.getBytes(StandardCharsets.US_ASCII);

    private Training() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 3) {
            System.err.println("usage: " + Training.class.getName() + " RESULT LAYOUT APP_JAR [APP_ARGS...]");
            System.exit(2);
        }
        long start = System.nanoTime();
        Path result = Path.of(args[0]);
        boolean springBoot = "spring-boot".equals(args[1]);
        Path appJar = Path.of(args[2]).toAbsolutePath().normalize();
        String[] appArgs = Arrays.copyOfRange(args, 3, args.length);

        List<String> appClasses = new ArrayList<>();
        List<String> candidates = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        Manifest manifest;
        try (JarFile jar = new JarFile(appJar.toFile())) {
            manifest = jar.getManifest();
            listClasses(jar, appClasses, candidates);
        }
        names.addAll(appClasses);
        for (Path p : classPath()) {
            if (p.equals(appJar)) continue;
            try (JarFile jar = new JarFile(p.toFile())) {
                List<String> classes = new ArrayList<>();
                listClasses(jar, classes, null);
                names.addAll(classes);
            } catch (IOException e) {
                System.out.println("einhorn training: skipping " + p + ": " + e);
            }
        }

        ClassLoader loader = ClassLoader.getSystemClassLoader();
        int loaded = 0;
        int failed = 0;
        for (String name : names) {
            try {
                Class.forName(name, false, loader);
                loaded++;
            } catch (Throwable t) { // optional dependencies missing, version-specific classes, ...
                failed++;
            }
        }

        Properties out = new Properties();
        out.setProperty("classes_loaded", Integer.toString(loaded));
        out.setProperty("classes_failed", Integer.toString(failed));
        String einhornMain = attribute(manifest, MANIFEST_ATTRIBUTE);
        String mainClass = attribute(manifest, Attributes.Name.MAIN_CLASS.toString());
        List<String> mains = new ArrayList<>();
        for (String c : candidates) {
            if (declaresEntry(c, loader)) mains.add(c);
        }
        mains.sort(null);
        String entry = null;
        String method = ENTRY_METHOD;
        String noEntry = null;
        if (einhornMain != null && mains.contains(einhornMain)) {
            entry = einhornMain;
        } else if (einhornMain != null) {
            noEntry = "its manifest names " + MANIFEST_ATTRIBUTE + ": " + einhornMain
                    + ", which has no public static void einhornMain(String[])";
        } else if (mains.size() == 1) {
            entry = mains.get(0);
        } else if (mains.size() > 1) {
            noEntry = "einhornMain is defined in several classes (" + String.join(", ", mains)
                    + "); name one with the manifest attribute " + MANIFEST_ATTRIBUTE;
        } else {
            noEntry = "no einhornMain method was defined";
        }
        if (entry == null && mainClass != null && appClasses.contains(mainClass)) {
            entry = mainClass;
            method = "main";
        } else if (entry == null) {
            noEntry += mainClass == null ? ", and it has no Main-Class"
                    : ", and its Main-Class " + mainClass + " is not in it";
        }
        if (entry != null) {
            out.setProperty("entry", entry);
            out.setProperty("method", method);
        }
        if (noEntry != null) out.setProperty("no_entry", noEntry);
        write(out, result);
        System.out.println("einhorn training: loaded " + loaded + " classes (" + failed + " failed) of "
                + names.size() + ", entry " + (entry == null ? "none (" + noEntry + ")" : entry + "." + method)
                + ", " + (System.nanoTime() - start) / 1_000_000 + " ms");
        System.out.flush();

        if (entry != null) {
            Class<?> entryClass = Class.forName(entry, false, loader);
            Method hook = preloadHook(entryClass);
            if (hook != null) {
                System.out.println("einhorn training: calling " + entry + ".einhornPreload()");
                invoke(hook, null);
            } else if (springBoot && mainClass != null) {
                // Spring Framework 6.1+: refresh the context, then halt(0) before the web server starts.
                System.setProperty("spring.context.exit", "onRefresh");
                System.out.println("einhorn training: running " + mainClass + ".main with spring.context.exit=onRefresh");
                System.out.flush();
                Method main = Class.forName(mainClass, false, loader).getMethod("main", String[].class);
                invoke(main, (Object) appArgs);
            }
        }
        System.out.println("einhorn training: done in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        System.out.flush();
        System.exit(0);
    }

    /** The jars of java.class.path and, recursively, of their manifests' Class-Path (a thin Spring Boot jar's lib/). */
    static List<Path> classPath() {
        Set<Path> seen = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
            if (!e.isEmpty()) addWithManifestClassPath(Path.of(e).toAbsolutePath().normalize(), seen);
        }
        return new ArrayList<>(seen);
    }

    private static void addWithManifestClassPath(Path jar, Set<Path> seen) {
        if (!Files.isRegularFile(jar) || !seen.add(jar)) return;
        String cp;
        try (JarFile jf = new JarFile(jar.toFile())) {
            cp = attribute(jf.getManifest(), Attributes.Name.CLASS_PATH.toString());
        } catch (IOException e) {
            return;
        }
        if (cp == null) return;
        for (String rel : cp.trim().split("\\s+")) {
            try {
                Path p = Path.of(jar.getParent().toUri().resolve(new URI(null, null, rel, null).getRawPath()));
                addWithManifestClassPath(p.normalize(), seen);
            } catch (Exception e) {
                // a URL we cannot follow: the JVM's class loader decides
            }
        }
    }

    /** Binary names of the jar's classes; with {@code candidates}, also those whose bytes mention einhornMain. */
    private static void listClasses(JarFile jar, List<String> names, List<String> candidates) throws IOException {
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
            JarEntry e = entries.nextElement();
            String n = e.getName();
            if (e.isDirectory() || !n.endsWith(".class") || n.startsWith("META-INF/")) continue;
            if (n.endsWith("module-info.class") || n.endsWith("package-info.class")) continue;
            String name = n.substring(0, n.length() - ".class".length()).replace('/', '.');
            names.add(name);
            if (candidates != null) {
                try (InputStream in = jar.getInputStream(e)) {
                    if (contains(in.readAllBytes(), ENTRY_BYTES)) candidates.add(name);
                }
            }
        }
    }

    private static boolean declaresEntry(String className, ClassLoader loader) {
        try {
            Class<?> c = Class.forName(className, false, loader);
            if (!Modifier.isPublic(c.getModifiers())) return false;
            Method m = c.getDeclaredMethod(ENTRY_METHOD, String[].class);
            int mod = m.getModifiers();
            return Modifier.isPublic(mod) && Modifier.isStatic(mod) && m.getReturnType() == void.class;
        } catch (Throwable t) {
            return false;
        }
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) continue outer;
            }
            return true;
        }
        return false;
    }

    private static String attribute(Manifest m, String name) {
        if (m == null) return null;
        String v = m.getMainAttributes().getValue(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static void write(Properties p, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream o = Files.newOutputStream(tmp)) {
            p.store(o, "einhorn training result");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void invoke(Method m, Object arg) throws Throwable {
        try {
            if (arg == null) {
                m.invoke(null);
            } else {
                m.invoke(null, arg);
            }
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static Method preloadHook(Class<?> c) {
        try {
            Method m = c.getDeclaredMethod("einhornPreload");
            if (Modifier.isStatic(m.getModifiers())) {
                m.setAccessible(true);
                return m;
            }
        } catch (NoSuchMethodException | SecurityException e) {
            // no hook
        } catch (LinkageError e) {
            System.out.println("einhorn training: cannot look for " + c.getName() + ".einhornPreload(): " + e);
        }
        return null;
    }
}
