package dev.einhorn.preload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The archive cache directory: {@code APP-KEY.jsa} (JDK 17-24) or {@code APP-KEY.aot} (JDK 25+), each with
 * a {@code .sum} beside it (size and SHA-256 on its first line, then what the training run found: entry point,
 * class counts; written when the training run succeeded), the training run's output in {@code .log}, and for a
 * Spring Boot jar its extracted form in {@code .boot/}. APP is the jar's file name plus a hash of its real path,
 * so two apps named {@code app.jar} never share or prune each other's files. KEY hashes everything that must
 * match for the JVM to use the archive, and more (docs/PRELOAD.md: JDK 25.0.3 does not notice a changed jar):
 * the contents of every class-path jar, the class path, java.home and the JDK build, and the flags. Several
 * masters may share the directory: files are built under temporary names and renamed into place under a lock.
 */
final class ArchiveCache {
    static final int KEEP_PER_APP = 3;
    private final Path dir;

    ArchiveCache(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** {@code --preload-cache}, else $XDG_CACHE_HOME/einhorn-jvm, else ~/.cache/einhorn-jvm. */
    static Path defaultDir(Map<String, String> env) {
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) return Path.of(xdg, "einhorn-jvm");
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, ".cache", "einhorn-jvm");
    }

    String key(List<Path> classPath, Jdk jdk, List<String> flags) throws IOException {
        MessageDigest md = sha256();
        for (Path p : classPath) {
            update(md, "cp " + p.toAbsolutePath().normalize());
            if (Files.isRegularFile(p)) update(md, "sha256 " + FileHashes.sha256(p, dir));
        }
        update(md, "java.home " + jdk.home());
        update(md, "version " + jdk.version());
        for (String f : flags) update(md, "flag " + f);
        return hex(md.digest()).substring(0, 24);
    }

    /** The jar's name (sanitized) and 8 hex digits of a hash of its real path. */
    static String appId(Path jar) {
        Path real;
        try {
            real = jar.toRealPath();
        } catch (IOException e) {
            real = jar.toAbsolutePath().normalize();
        }
        String name = real.getFileName().toString().replaceAll("\\.jar$", "").replaceAll("[^A-Za-z0-9_.]", "_");
        MessageDigest md = sha256();
        update(md, real.toString());
        return name + "-" + hex(md.digest()).substring(0, 8);
    }

    Path archive(String app, String key, Jdk jdk) {
        return dir.resolve(app + "-" + key + (jdk.aotCache() ? ".aot" : ".jsa"));
    }

    static Path sumFile(Path archive) {
        return archive.resolveSibling(archive.getFileName() + ".sum");
    }

    static Path logFile(Path archive) {
        return archive.resolveSibling(archive.getFileName() + ".log");
    }

    /** Where a Spring Boot jar of this key is extracted: {@code APP-KEY.boot/} with {@code app.jar} and {@code lib/}. */
    static Path bootDir(Path archive) {
        String n = archive.getFileName().toString();
        return archive.resolveSibling(n.substring(0, n.lastIndexOf('.')) + ".boot");
    }

    /** What the training run found, stored after the checksum line of the {@code .sum}; empty when unreadable. */
    static java.util.Properties meta(Path archive) {
        java.util.Properties p = new java.util.Properties();
        try {
            String text = CacheFiles.readSmall(sumFile(archive), CacheFiles.SMALL);
            int nl = text.indexOf('\n');
            if (nl >= 0) p.load(new java.io.StringReader(text.substring(nl + 1)));
        } catch (IOException | IllegalArgumentException e) {
            p.clear();
        }
        return p;
    }

    /**
     * Why the archive cannot be trusted, or empty when its size and hash match what the training run wrote. An
     * archive whose stat (size, inode, mtime, ctime) is the one recorded at install has not been written since:
     * it is not hashed again (85 MB for a Spring Boot app, 2 s in the master: docs/PRELOAD.md).
     */
    static Optional<String> verify(Path archive) {
        try {
            Path sum = sumFile(archive);
            if (!Files.exists(sum)) return Optional.of("no checksum file " + sum.getFileName());
            String stat = meta(archive).getProperty("stat");
            if (stat != null && stat.equals(FileHashes.stat(archive))) return Optional.empty();
            String[] parts = CacheFiles.readSmall(sum, CacheFiles.SMALL).lines().findFirst().orElse("").trim()
                    .split("\\s+");
            if (parts.length != 2) return Optional.of("unreadable checksum file " + sum.getFileName());
            long size = CacheFiles.requireRegular(archive).size();
            if (size != Long.parseLong(parts[0])) {
                return Optional.of("size " + size + " bytes, expected " + parts[0]);
            }
            if (!hex(digest(archive)).equals(parts[1])) return Optional.of("SHA-256 mismatch");
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.of(e.toString());
        }
    }

    /**
     * Whether the archive is as it was installed (size, inode, mtime, ctime as recorded in its {@code .sum}): a
     * stat, no hashing, so a master may ask before each spawn. True when no stat was recorded (an older install).
     */
    static boolean unchangedSinceInstall(Path archive) {
        String recorded = meta(archive).getProperty("stat");
        if (recorded == null) return true;
        try {
            return recorded.equals(FileHashes.stat(archive));
        } catch (IOException e) {
            return false;
        }
    }

    /** Why the installed archive cannot be used ({@link #verify}, or no entry point recorded); empty when it can. */
    static Optional<String> check(Path archive) {
        Optional<String> bad = verify(archive);
        if (bad.isEmpty() && meta(archive).getProperty("entry") == null) bad = Optional.of("no entry point recorded");
        return bad;
    }

    /**
     * Moves a freshly written archive into place with its checksum file ({@code sha256}, or hashed here when
     * null) and {@code meta}. Under a lock on {@code APP-KEY.lock}: when another master installed a good archive
     * of the same key meanwhile, that one stays (the workers it started map it) and ours is deleted. Returns true
     * when ours was installed.
     * <p>
     * A master that looks the archive up reads it without the lock, and one of an older build sharing the cache
     * also deletes what it finds bad without it: an archive without its {@code .sum}, seen between two renames,
     * would be deleted. So the {@code .sum} goes into place first: an archive visible at {@code APP-KEY} always
     * has its checksum. The {@code stat} line that spares a reuse the hashing is added by a second rename of the
     * {@code .sum}, after the archive's rename, which sets its ctime.
     */
    static boolean install(Path built, Path archive, String sha256, Map<String, String> meta) throws IOException {
        return install(built, archive, sha256, meta, () -> { });
    }

    /** {@link #install}, running {@code afterEachStep} after each change other masters can see (for the tests). */
    static boolean install(Path built, Path archive, String sha256, Map<String, String> meta, Runnable afterEachStep)
            throws IOException {
        String sha = sha256 != null ? sha256 : hex(digest(built));
        StringBuilder sum = new StringBuilder(Files.size(built) + " " + sha + "\n");
        meta.forEach((k, v) -> sum.append(k).append('=').append(v.replace("\\", "\\\\").replace("\n", " ")).append('\n'));
        Path tmpSum = sumFile(built);
        try (FileChannel ch = lockFile(archive); FileLock ignored = ch.lock()) {
            if (Files.exists(archive) && check(archive).isEmpty()) {
                Files.deleteIfExists(built);
                Files.deleteIfExists(tmpSum);
                return false;
            }
            // A bad archive goes first: with our .sum beside it, a master looking now would delete both.
            Files.deleteIfExists(archive);
            afterEachStep.run();
            CacheFiles.writeNew(tmpSum, sum);
            Files.move(tmpSum, sumFile(archive), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            afterEachStep.run();
            Files.move(built, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            afterEachStep.run();
            sum.append("stat=").append(FileHashes.stat(archive)).append('\n');
            CacheFiles.writeNew(tmpSum, sum);
            Files.move(tmpSum, sumFile(archive), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            afterEachStep.run();
            return true;
        }
    }

    /**
     * Deletes the archive and its checksum file unless, checked again under the install lock, it is good: the
     * caller found it bad, but another master may have installed a good one since. Returns true when deleted
     * (without the lock when it cannot be taken).
     */
    static boolean discard(Path archive) {
        try (FileChannel ch = lockFile(archive); FileLock ignored = ch.lock()) {
            if (check(archive).isEmpty()) return false;
            delete(archive);
        } catch (IOException e) {
            delete(archive); // no lock, e.g. a read-only cache
        }
        return true;
    }

    /** What masters sharing the cache lock to install or discard the archive: {@code APP-KEY.lock}. */
    private static FileChannel lockFile(Path archive) throws IOException {
        return CacheFiles.openLock(archive.resolveSibling(archive.getFileName() + ".lock"));
    }

    static void delete(Path archive) {
        for (Path p : List.of(sumFile(archive), archive)) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    static void touch(Path archive) {
        try {
            Files.setLastModifiedTime(sumFile(archive), FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException ignored) {
            // only affects pruning order
        }
    }

    /**
     * Deletes all but the {@code keep} most recently built or used archives of this app (by the time of their
     * {@code .sum}); a running worker keeps its mapping of a deleted file. Returns the deleted archives.
     */
    List<Path> prune(String app, int keep) {
        List<Path> deleted = new ArrayList<>();
        List<Path> sums;
        try (Stream<Path> s = Files.list(dir)) {
            sums = s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(app + "-") && (n.endsWith(".jsa.sum") || n.endsWith(".aot.sum"))
                        && n.substring(app.length() + 1).indexOf('-') < 0;
            }).sorted(Comparator.comparing(ArchiveCache::mtime).reversed()).toList();
        } catch (IOException e) {
            return deleted;
        }
        for (Path sum : sums.subList(Math.min(keep, sums.size()), sums.size())) {
            String n = sum.getFileName().toString();
            Path archive = sum.resolveSibling(n.substring(0, n.length() - ".sum".length()));
            delete(archive);
            deleteTree(bootDir(archive));
            for (Path p : List.of(logFile(archive), archive.resolveSibling(archive.getFileName() + ".lock"))) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            }
            deleted.add(archive);
        }
        return deleted;
    }

    static void deleteTree(Path dir) {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException | java.io.UncheckedIOException ignored) {
            // best effort
        }
    }

    private static FileTime mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    static byte[] digest(Path file) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = CacheFiles.open(file)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return md.digest();
    }

    private static void update(MessageDigest md, String s) {
        md.update(s.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
