package dev.einhorn.runtime;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The main class of the master's training run, the JVM that writes a generation's class-data archive (its
 * command line carries {@code -XX:ArchiveClassesAtExit} or {@code -XX:AOTCacheOutput} and otherwise the
 * workers' flags and class path): {@code Training CLASSLIST ENTRY_CLASS}. It loads (without initializing)
 * every class named in CLASSLIST, one binary name per line, then calls {@code ENTRY_CLASS.einhornPreload()}
 * when the app declares one ({@code public static void einhornPreload()}, to warm its framework), and exits 0
 * so the JVM writes the archive. A class that fails to load is counted and skipped. Prints one summary line.
 */
public final class Training {
    private Training() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: " + Training.class.getName() + " CLASSLIST ENTRY_CLASS");
            System.exit(2);
        }
        long start = System.nanoTime();
        List<String> names = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
        ClassLoader loader = ClassLoader.getSystemClassLoader();
        int loaded = 0;
        int failed = 0;
        for (String name : names) {
            name = name.trim();
            if (name.isEmpty()) {
                continue;
            }
            try {
                Class.forName(name, false, loader);
                loaded++;
            } catch (Throwable t) { // optional dependencies missing, version-specific classes, ...
                failed++;
            }
        }
        String hook = "none";
        if (!"-".equals(args[1])) {
            Method preload = preloadHook(Class.forName(args[1], false, loader));
            if (preload != null) {
                preload.invoke(null);
                hook = args[1] + ".einhornPreload()";
            }
        }
        System.out.println("einhorn training: loaded " + loaded + " classes (" + failed + " failed), hook " + hook
                + ", " + (System.nanoTime() - start) / 1_000_000 + " ms");
        System.out.flush();
        System.exit(0);
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
        }
        return null;
    }

}
