package dev.einhorn.preload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The worker JDK, read from its {@code release} file (no JVM started): java.home and the exact build, which
 * key the archive cache, and the feature version, which picks the archive kind.
 *
 * @param java    the java executable, real path
 * @param home    java.home
 * @param version the full runtime version, e.g. {@code 25.0.3+9-LTS}
 * @param feature the feature release, e.g. 25
 */
record Jdk(Path java, Path home, String version, int feature) {
    /** JDK 25 brought {@code -XX:AOTCacheOutput} (JEP 514); before it, the dynamic AppCDS archive. */
    boolean aotCache() {
        return feature >= 25;
    }

    String archiveKind() {
        return aotCache() ? "AOT cache" : "dynamic AppCDS archive";
    }

    static Jdk of(Path java) throws IOException {
        Path real;
        try {
            real = java.toRealPath();
        } catch (NoSuchFileException e) {
            // its message is the bare path, which the caller's message already names
            throw new IOException("no such file");
        }
        Path home = real.getParent().getParent();
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) throw new IOException("no release file in " + home);
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(release)) {
            p.load(in);
        }
        String version = unquote(p.getProperty("JAVA_VERSION"));
        if (version == null) throw new IOException(release + " has no JAVA_VERSION");
        String runtime = unquote(p.getProperty("JAVA_RUNTIME_VERSION"));
        String[] parts = version.split("[.+\\-]");
        int feature;
        try {
            feature = Integer.parseInt(parts[0]);
            if (feature == 1 && parts.length > 1) feature = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("cannot read the JDK version \"" + version + "\" in " + release);
        }
        return new Jdk(real, home, runtime != null ? runtime : version, feature);
    }

    private static String unquote(String s) {
        if (s == null) return null;
        s = s.trim();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) s = s.substring(1, s.length() - 1);
        return s;
    }
}
