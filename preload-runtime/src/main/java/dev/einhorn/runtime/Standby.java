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

    /**
     * A class-path resource by which an app (the Spring Boot starter) says it parks the standby itself, once warm,
     * by calling {@link #parkIfStandby()}: {@code Bootstrap} then enters the app at once instead of parking first.
     */
    public static final String PARKS_IN_APP_RESOURCE = "META-INF/einhorn/standby-parks-in-app";

    private static volatile Map<String, String> activated = Map.of();
    private static boolean parked;

    private Standby() {
    }

    private static Boolean requested;

    /**
     * True when this JVM was started as a standby (and so must {@link #warmAndPark} before its entry method): the
     * park variable is set and the master is our parent. An activated standby keeps the variables in its
     * environment, so a JVM it starts inherits them (with fd numbers that are closed or mean something else there):
     * such a JVM is no standby, and parking it would block it for good on whatever has that fd number. Decided at
     * the first call (at the JVM's start, from {@link Bootstrap}), while the master is alive.
     */
    static synchronized boolean requested() {
        if (requested == null) requested = System.getenv(PARK_FD) != null && Einhorn.isWorker();
        return requested;
    }

    /**
     * Until its activation a standby has served nothing, so SIGTERM (the master retiring it, while it warms up or
     * while it is parked) halts it at once without running shutdown hooks: Spring's hook waits for the context's
     * start-up to finish, and that start-up ends in the park, so a standby stopped while warming never exited
     * and a stopping master waited for it forever. {@link #park} restores the JVM's own handler on activation.
     */
    static void exitAtOnceOnTermUntilActivated() {
        synchronized (Standby.class) {
            if (jvmTermHandler == null) jvmTermHandler = sun.misc.Signal.handle(new sun.misc.Signal("TERM"), new ExitWhileParked());
        }
    }

    private static sun.misc.SignalHandler jvmTermHandler;

    /** True when the app declares that it parks the standby itself ({@link #PARKS_IN_APP_RESOURCE}). */
    static boolean parksInApp() {
        return ClassLoader.getSystemResource(PARKS_IN_APP_RESOURCE) != null;
    }

    /**
     * For frameworks that warm up inside the app (the Spring Boot starter calls it after the context refresh, before
     * the web server starts): in a standby, reports ready and blocks until the master activates it, then returns
     * true (exits 0 if it is retired instead). Anywhere else, and after the first call, returns false at once.
     * The app must neither take traffic nor ACK before it returns.
     */
    public static boolean parkIfStandby() {
        synchronized (Standby.class) {
            if (!requested() || parked) return false;
            parked = true;
        }
        long pid = ProcessHandle.current().pid();
        long up = System.currentTimeMillis() - ProcessHandle.current().info().startInstant()
                .map(i -> i.toEpochMilli()).orElse(System.currentTimeMillis());
        System.out.println("einhorn standby " + pid + ": warmed up in the app, " + up + " ms after its start; parked");
        System.out.flush();
        park();
        return true;
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
        synchronized (Standby.class) {
            parked = true;
        }
        park();
    }

    /** Writes the ready byte, then blocks on the park pipe: returns activated, or exits 0 when retired. */
    private static void park() {
        int parkFd = fdFromEnv(PARK_FD);
        int readyFd = fdFromEnv(READY_FD);
        long pid = ProcessHandle.current().pid();
        try (FileOutputStream ready = new FileOutputStream(InheritedFds.fileDescriptor(readyFd, "the standby ready pipe"))) {
            ready.write(READY);
        } catch (IOException e) {
            System.err.println("einhorn standby " + pid + ": cannot tell the master it is ready: " + e);
            System.exit(1);
        }
        // Retired while parked (SIGTERM, or the pipe closed): exit at once. Shutdown hooks could wait on the parked
        // thread (Spring's context close waits for the refresh that is parked), so they are not run: nothing was served.
        exitAtOnceOnTermUntilActivated();
        Map<String, String> values = readActivation(InheritedFds.fileDescriptor(parkFd, "the standby park pipe"));
        if (values == null) {
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }
        synchronized (Standby.class) {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), jvmTermHandler);
        }
        for (Map.Entry<String, String> e : values.entrySet()) {
            System.setProperty("einhorn." + e.getKey(), e.getValue());
        }
        activated = Collections.unmodifiableMap(values);
    }

    /** SIGTERM before activation: a class, not a lambda (no lambda bootstrap in a standby's start). */
    private static final class ExitWhileParked implements sun.misc.SignalHandler {
        @Override
        public void handle(sun.misc.Signal sig) {
            System.out.flush();
            Runtime.getRuntime().halt(128 + 15);
        }
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
