package dev.einhorn;

import dev.einhorn.cli.CliResult;
import dev.einhorn.cli.EinhornCli;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;

/**
 * Parses the command line ({@link EinhornCli}, picocli) in a class loader of its own, so that once the master
 * runs, picocli and the parser can be unloaded: they are ~180 classes that the long-lived master never uses
 * again and that the class-data archive cannot hold (picocli's are class-file version 49). Only the result
 * crosses over, and its types ({@link CliResult}, the config records) come from the application class loader.
 * If the separate loader cannot be used for any reason, the parser runs in the application class loader: the
 * same result, only without the saving. docs/FOOTPRINT.md has the measurements.
 */
final class DisposableCli {
    /** By name: a class literal would load the parser in the application class loader too. */
    private static final String PARSER = "dev.einhorn.cli.EinhornCli";

    private DisposableCli() {}

    static CliResult parse(String[] args, Map<String, String> env) {
        ClassLoader app = DisposableCli.class.getClassLoader();
        Object result;
        try {
            Class<?> cli = Class.forName(PARSER, true, new CliClassLoader(app));
            result = cli.getMethod("parse", String[].class, Map.class).invoke(null, args, env);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            return EinhornCli.parse(args, env);
        }
        return (CliResult) result;
    }

    /**
     * Frees the parser's classes: a full collection unloads a class loader nothing refers to any more (with
     * the serial GC, only a full collection unloads classes, and an idle master may never need one).
     */
    static void unload() {
        System.gc();
    }

    /**
     * Defines picocli and the parser's own classes itself (child first) from the application class path, and
     * leaves everything else, including the parse result's types, to the application class loader.
     */
    static final class CliClassLoader extends ClassLoader {
        static {
            registerAsParallelCapable();
        }

        CliClassLoader(ClassLoader parent) {
            super("einhorn-cli", parent);
        }

        /** picocli, and dev.einhorn.cli but for the result type and what the master itself uses. */
        static boolean ownsClass(String name) {
            if (name.startsWith("picocli.")) return true;
            if (!name.startsWith("dev.einhorn.cli.")) return false;
            String simple = name.substring("dev.einhorn.cli.".length());
            return !simple.startsWith("CliResult") && !simple.startsWith("LegacySrvTemplate");
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!ownsClass(name)) return super.loadClass(name, resolve);
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) c = define(name);
                if (resolve) resolveClass(c);
                return c;
            }
        }

        private Class<?> define(String name) throws ClassNotFoundException {
            try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                if (in == null) throw new ClassNotFoundException(name);
                byte[] bytes = in.readAllBytes();
                return defineClass(name, bytes, 0, bytes.length);
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
        }

        @Override
        public java.net.URL getResource(String name) {
            return getParent().getResource(name);
        }
    }
}
