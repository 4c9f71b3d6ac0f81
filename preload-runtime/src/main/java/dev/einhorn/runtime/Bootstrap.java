package dev.einhorn.runtime;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;

/**
 * The main class of a preloaded worker JVM ({@code einhorn -p app.jar ...}): the master starts
 * {@code java [flags] -XX:SharedArchiveFile=...|-XX:AOTCache=... -cp runtime.jar:app.jar dev.einhorn.runtime.Bootstrap
 * CLASS METHOD ARGS...}; this loads CLASS from the class path (so it comes from the archive) and calls its
 * {@code public static void METHOD(String[])} ({@code einhornMain}, or {@code main} for an app without one)
 * with ARGS. Started as a warm standby ({@code EINHORN_STANDBY_FD} set), it first warms up and parks until the
 * master activates it ({@link Standby}). An exception from the app is printed and exits 1, as {@code java -jar} does.
 */
public final class Bootstrap {
    private Bootstrap() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            System.err.println("usage: " + Bootstrap.class.getName() + " CLASS METHOD [ARGS...]");
            System.exit(2);
        }
        Method m = entry(args[0], args[1]);
        // a standby parks here (returns once activated), unless the app parks it itself once warm (Spring Boot starter)
        if (Standby.requested()) Standby.exitAtOnceOnTermUntilActivated();
        if (Standby.requested() && !Standby.parksInApp()) Standby.warmAndPark(m.getDeclaringClass());
        String[] appArgs = Arrays.copyOfRange(args, 2, args.length);
        try {
            m.invoke(null, (Object) appArgs);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The public static void METHOD(String[]) of CLASS, loaded with the system class loader. */
    static Method entry(String className, String method) throws ClassNotFoundException, NoSuchMethodException {
        Class<?> c = Class.forName(className, false, ClassLoader.getSystemClassLoader());
        Method m = c.getMethod(method, String[].class);
        if (!Modifier.isStatic(m.getModifiers()) || m.getReturnType() != void.class) {
            throw new NoSuchMethodException(className + "." + method + "(String[]) is not a static void method");
        }
        return m;
    }
}
