package dev.einhorn.runtime;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A warm standby ({@code einhorn --standby N}, docs/PRELOAD.md "Warm standbys"): a preloaded worker JVM that runs
 * the app's warm-up, tells the master it is ready, and parks until the master activates it. The master starts it
 * exactly like a worker, plus two pipe ends: {@code EINHORN_STANDBY_FD} (it reads its activation there) and
 * {@code EINHORN_STANDBY_READY_FD} (it writes one byte there once warm). It has no {@code EINHORN_CHILD_INDEX}
 * until then, and never touches the shared sockets while parked.
 *
 * <p>The activation is {@code NAME=VALUE} lines ended by an empty line: the environment values a spawn would have
 * given it that it could not know at its start ({@code EINHORN_CHILD_INDEX}). A process cannot change its own
 * environment, so {@link Einhorn} reads them from {@link #activated()} first; they are also system properties
 * {@code einhorn.NAME}. End of file instead (the master retired it or died) exits 0.
 */
public final class Standby {
    static final String PARK_FD = "EINHORN_STANDBY_FD";
    static final String READY_FD = "EINHORN_STANDBY_READY_FD";
    /** The one byte a ready standby writes. */
    static final int READY = 'R';

    private static volatile Map<String, String> activated = Map.of();

    private Standby() {
    }

    /** True when this JVM was started as a standby (and so must {@link #warmAndPark} before its entry method). */
    static boolean requested() {
        return System.getenv(PARK_FD) != null;
    }

    /** The values the master gave this worker at its activation (empty for a worker that was spawned). */
    public static Map<String, String> activated() {
        return activated;
    }

    /**
     * Runs {@code entry.einhornPreload()} when it declares one, reports ready, and blocks until the master
     * activates this JVM (returns) or retires it (exits 0). A warm-up that throws is printed and exits 1: the
     * master reports it and falls back to spawning.
     */
    static void warmAndPark(Class<?> entry) {
        int parkFd = fdFromEnv(PARK_FD);
        int readyFd = fdFromEnv(READY_FD);
        long pid = ProcessHandle.current().pid();
        long start = System.nanoTime();
        try {
            Method hook = preloadHook(entry);
            if (hook != null) hook.invoke(null);
        } catch (InvocationTargetException e) {
            System.err.println("einhorn standby " + pid + ": the warm-up " + entry.getName() + ".einhornPreload() failed:");
            e.getCause().printStackTrace();
            System.exit(1);
        } catch (ReflectiveOperationException e) {
            System.err.println("einhorn standby " + pid + ": cannot call " + entry.getName() + ".einhornPreload(): " + e);
            System.exit(1);
        }
        System.out.println("einhorn standby " + pid + ": warmed up in " + (System.nanoTime() - start) / 1_000_000
                + " ms; parked");
        System.out.flush();
        try (FileOutputStream ready = new FileOutputStream(InheritedFds.fileDescriptor(readyFd, "the standby ready pipe"))) {
            ready.write(READY);
        } catch (IOException e) {
            System.err.println("einhorn standby " + pid + ": cannot tell the master it is ready: " + e);
            System.exit(1);
        }
        Map<String, String> values = readActivation(InheritedFds.fileDescriptor(parkFd, "the standby park pipe"));
        if (values == null) System.exit(0); // retired before activation
        for (Map.Entry<String, String> e : values.entrySet()) {
            System.setProperty("einhorn." + e.getKey(), e.getValue());
        }
        activated = Collections.unmodifiableMap(values);
    }

    /** NAME=VALUE lines up to an empty line; null at end of file before it. Blocks (this is the park). */
    static Map<String, String> readActivation(FileDescriptor fd) {
        Map<String, String> values = new LinkedHashMap<>();
        try (InputStream in = new FileInputStream(fd)) {
            StringBuilder line = new StringBuilder();
            for (int b; (b = in.read()) >= 0; ) {
                if (b != '\n') {
                    line.append((char) b);
                    continue;
                }
                if (line.length() == 0) return values;
                String s = new String(line.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
                int eq = s.indexOf('=');
                if (eq > 0) values.put(s.substring(0, eq), s.substring(eq + 1));
                line.setLength(0);
            }
        } catch (IOException e) {
            System.err.println("einhorn standby: reading the activation: " + e);
        }
        return null;
    }

    private static int fdFromEnv(String name) {
        String v = System.getenv(name);
        try {
            return Integer.parseInt(v.trim());
        } catch (RuntimeException e) {
            throw new EinhornException(name + " is \"" + v + "\", not a file descriptor number");
        }
    }

    private static Method preloadHook(Class<?> c) {
        try {
            Method m = c.getDeclaredMethod("einhornPreload");
            if (!Modifier.isStatic(m.getModifiers())) return null;
            m.setAccessible(true);
            return m;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
