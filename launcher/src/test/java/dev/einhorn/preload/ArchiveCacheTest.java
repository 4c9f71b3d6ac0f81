package dev.einhorn.preload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive cache on a temporary directory with fake archives: what makes a key, what pruning removes, and
 * which archives are trusted again.
 */
class ArchiveCacheTest {
    @TempDir
    Path dir;

    private static final Jdk JDK21 = new Jdk(Path.of("/jdk21/bin/java"), Path.of("/jdk21"), "21.0.4+7-LTS", 21);
    private static final Jdk JDK25 = new Jdk(Path.of("/jdk25/bin/java"), Path.of("/jdk25"), "25.0.1+8-LTS", 25);

    private ArchiveCache cache() throws IOException {
        return new ArchiveCache(Files.createDirectories(dir.resolve("cache")));
    }

    private Path jar(String where, String content) throws IOException {
        Path jar = Files.createDirectories(dir.resolve(where)).resolve("app.jar");
        Files.writeString(jar, content);
        return jar;
    }

    // --- keys ---

    @Test
    void theKeyIsStableForTheSameInputs() throws Exception {
        ArchiveCache cache = cache();
        Path jar = jar("a", "v1");
        String key = cache.key(List.of(jar), JDK21, List.of("-Xmx1g"));
        assertEquals(key, cache.key(List.of(jar), JDK21, List.of("-Xmx1g")));
        assertEquals(key, new ArchiveCache(cache.dir()).key(List.of(jar), JDK21, List.of("-Xmx1g")),
                "another master on the same cache computes the same key");
        assertTrue(key.matches("[0-9a-f]{24}"), key);
    }

    @Test
    void theKeyChangesWithTheJarsContentEvenAtTheSameSizeAndPath() throws Exception {
        ArchiveCache cache = cache();
        Path jar = jar("a", "v1");
        String before = cache.key(List.of(jar), JDK21, List.of());
        Files.writeString(jar, "v2");
        assertNotEquals(before, cache.key(List.of(jar), JDK21, List.of()));
    }

    @Test
    void theKeyDoesNotChangeWhenTheJarIsOnlyTouched() throws Exception {
        ArchiveCache cache = cache();
        Path jar = jar("a", "v1");
        String before = cache.key(List.of(jar), JDK21, List.of());
        Files.setLastModifiedTime(jar, FileTime.fromMillis(0));
        assertEquals(before, cache.key(List.of(jar), JDK21, List.of()));
    }

    @Test
    void theKeyChangesWithTheJdkBuildAndHome() throws Exception {
        ArchiveCache cache = cache();
        Path jar = jar("a", "v1");
        String k = cache.key(List.of(jar), JDK21, List.of());
        assertNotEquals(k, cache.key(List.of(jar), new Jdk(JDK21.java(), JDK21.home(), "21.0.5+11-LTS", 21),
                List.of()), "another build of the same JDK");
        assertNotEquals(k, cache.key(List.of(jar), new Jdk(Path.of("/other/bin/java"), Path.of("/other"),
                JDK21.version(), 21), List.of()), "the same build installed elsewhere");
    }

    @Test
    void theKeyChangesWithTheFlagsAndTheClassPath() throws Exception {
        ArchiveCache cache = cache();
        Path jar = jar("a", "v1");
        Path lib = Files.writeString(dir.resolve("a/lib.jar"), "lib");
        String k = cache.key(List.of(jar), JDK21, List.of("-Xmx1g"));
        assertNotEquals(k, cache.key(List.of(jar), JDK21, List.of("-Xmx2g")));
        assertNotEquals(k, cache.key(List.of(jar), JDK21, List.of()));
        assertNotEquals(k, cache.key(List.of(jar, lib), JDK21, List.of("-Xmx1g")));
        assertNotEquals(k, cache.key(List.of(jar("b", "v1")), JDK21, List.of("-Xmx1g")),
                "the same bytes at another path");
    }

    @Test
    void flagsAreNotRunTogether() throws Exception {
        ArchiveCache cache = cache();
        Path jar = jar("a", "v1");
        assertNotEquals(cache.key(List.of(jar), JDK21, List.of("-Da=1", "-Db=2")),
                cache.key(List.of(jar), JDK21, List.of("-Da=1-Db=2")));
    }

    @Test
    void theArchiveKindFollowsTheJdk() throws Exception {
        ArchiveCache cache = cache();
        assertEquals("app-1-k.jsa", cache.archive("app-1", "k", JDK21).getFileName().toString());
        assertEquals("app-1-k.aot", cache.archive("app-1", "k", JDK25).getFileName().toString());
        assertEquals("app-1-k.aot.sum", ArchiveCache.sumFile(cache.archive("app-1", "k", JDK25))
                .getFileName().toString());
        assertEquals("app-1-k.boot", ArchiveCache.bootDir(cache.archive("app-1", "k", JDK25))
                .getFileName().toString());
    }

    // --- app ids ---

    @Test
    void twoAppsWithTheSameFileNameHaveDifferentIds() throws Exception {
        String a = ArchiveCache.appId(jar("a", "x"));
        String b = ArchiveCache.appId(jar("b", "x"));
        assertNotEquals(a, b);
        assertTrue(a.startsWith("app-") && b.startsWith("app-"), a + " " + b);
    }

    @Test
    void aSymlinkToAJarIsTheSameApp() throws Exception {
        Path jar = jar("a", "x");
        Path link = Files.createSymbolicLink(dir.resolve("current.jar"), jar);
        assertEquals(ArchiveCache.appId(jar), ArchiveCache.appId(link));
    }

    @Test
    void theIdHasOneDashAndOnlySafeCharacters() throws Exception {
        Path jar = Files.writeString(Files.createDirectories(dir.resolve("c")).resolve("my-app v2.jar"), "x");
        String id = ArchiveCache.appId(jar);
        assertTrue(id.matches("my_app_v2-[0-9a-f]{8}"), id);
    }

    // --- pruning ---

    /** A fake installed archive with its .sum, .log, .lock and .boot/, built or last used at {@code when}. */
    private Path archive(ArchiveCache cache, String app, String key, long when) throws IOException {
        Path a = cache.archive(app, key, JDK25);
        ArchiveCache.install(built(a, "archive " + key), a, null, Map.of("entry", "Main"));
        Files.writeString(ArchiveCache.logFile(a), "log");
        Files.createDirectories(ArchiveCache.bootDir(a).resolve("lib"));
        Files.writeString(ArchiveCache.bootDir(a).resolve("app.jar"), "boot");
        Files.setLastModifiedTime(ArchiveCache.sumFile(a), FileTime.fromMillis(when));
        return a;
    }

    private Set<String> files(ArchiveCache cache) throws IOException {
        try (Stream<Path> s = Files.list(cache.dir())) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    @Test
    void pruningKeepsTheNewestArchivesOfTheAppAndEverythingThatBelongsToThem() throws Exception {
        ArchiveCache cache = cache();
        List<Path> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) all.add(archive(cache, "app-11111111", "k" + i, 1_000_000L * (i + 1)));

        List<Path> deleted = cache.prune("app-11111111", 3);

        assertEquals(Set.of(all.get(0), all.get(1)), Set.copyOf(deleted), "the two oldest");
        for (Path gone : deleted) {
            for (Path p : List.of(gone, ArchiveCache.sumFile(gone), ArchiveCache.logFile(gone),
                    ArchiveCache.bootDir(gone), gone.resolveSibling(gone.getFileName() + ".lock"))) {
                assertFalse(Files.exists(p), p + " should be gone");
            }
        }
        for (Path kept : all.subList(2, 5)) {
            assertTrue(Files.exists(kept) && Files.exists(ArchiveCache.sumFile(kept))
                    && Files.isDirectory(ArchiveCache.bootDir(kept)), kept + " should be kept");
        }
    }

    @Test
    void aRecentlyUsedArchiveIsKeptOverANewerBuiltOne() throws Exception {
        ArchiveCache cache = cache();
        Path old = archive(cache, "app-11111111", "old", 1_000);
        Path newer = archive(cache, "app-11111111", "newer", 2_000);
        ArchiveCache.touch(old); // reused by this start: now the most recent
        assertEquals(List.of(newer), cache.prune("app-11111111", 1));
        assertTrue(Files.exists(old));
    }

    @Test
    void pruningNeverTouchesAnotherAppsArchivesEvenWithTheSameJarName() throws Exception {
        ArchiveCache cache = cache();
        String a = ArchiveCache.appId(jar("a", "x"));
        String b = ArchiveCache.appId(jar("b", "x"));
        for (int i = 0; i < 4; i++) archive(cache, a, "ka" + i, 1_000L * i);
        for (int i = 0; i < 2; i++) archive(cache, b, "kb" + i, 1_000L * i);
        Set<String> bFiles = files(cache).stream().filter(n -> n.startsWith(b)).collect(Collectors.toSet());

        assertEquals(4, cache.prune(a, 0).size());

        assertEquals(bFiles, files(cache).stream().filter(n -> n.startsWith(b)).collect(Collectors.toSet()));
        assertTrue(files(cache).stream().noneMatch(n -> n.startsWith(a + "-k")), files(cache).toString());
    }

    @Test
    void pruningLeavesTemporaryFilesAndTheHashMemoAlone() throws Exception {
        ArchiveCache cache = cache();
        Path a = archive(cache, "app-11111111", "k", 1_000);
        Path building = a.resolveSibling(a.getFileName() + ".tmp4242-3"); // another master's training run
        Files.writeString(building, "half");
        Files.writeString(ArchiveCache.sumFile(building), "half");
        Files.writeString(cache.dir().resolve(FileHashes.MEMO), "");

        cache.prune("app-11111111", 0);

        assertTrue(Files.exists(building) && Files.exists(ArchiveCache.sumFile(building)));
        assertTrue(Files.exists(cache.dir().resolve(FileHashes.MEMO)));
    }

    @Test
    void pruningAMissingCacheDirectoryDeletesNothing() {
        assertEquals(List.of(), new ArchiveCache(dir.resolve("nope")).prune("app-11111111", 0));
    }

    // --- install and verify ---

    private static Path built(Path archive, String content) throws IOException {
        return Files.writeString(archive.resolveSibling(archive.getFileName() + ".tmp1-0"), content);
    }

    @Test
    void anInstalledArchiveIsTrustedAndCarriesWhatTheTrainingRunFound() throws Exception {
        Path archive = cache().archive("app-11111111", "k", JDK25);
        assertTrue(ArchiveCache.install(built(archive, "classes"), archive, null,
                Map.of("entry", "com.example.Main", "note", "two\nlines", "path", "C:\\x")));

        assertEquals("classes", Files.readString(archive));
        assertEquals(Optional.empty(), ArchiveCache.verify(archive));
        var meta = ArchiveCache.meta(archive);
        assertEquals("com.example.Main", meta.getProperty("entry"));
        assertEquals("two lines", meta.getProperty("note"), "a value stays on its line");
        assertEquals("C:\\x", meta.getProperty("path"));
        assertEquals(Set.of("app-11111111-k.aot", "app-11111111-k.aot.sum", "app-11111111-k.aot.lock"),
                files(new ArchiveCache(archive.getParent())), "no temporary file left behind");
    }

    @Test
    void aGivenChecksumIsTheOneRecorded() throws Exception {
        Path archive = cache().archive("app-11111111", "k", JDK25);
        String sha = ArchiveCache.hex(ArchiveCache.digest(built(archive, "classes")));
        ArchiveCache.install(built(archive, "classes"), archive, sha, Map.of("entry", "Main"));
        assertEquals("7 " + sha, Files.readAllLines(ArchiveCache.sumFile(archive)).get(0));
    }

    @Test
    void aHalfWrittenArchiveIsNeverTheArchive() throws Exception {
        Path archive = cache().archive("app-11111111", "k", JDK25);
        built(archive, "half a training r"); // a training run still writing, or killed
        assertFalse(Files.exists(archive));
        assertTrue(ArchiveCache.verify(archive).isPresent());
    }

    @Test
    void anArchiveWithoutItsChecksumIsNotTrusted() throws Exception {
        Path archive = cache().archive("app-11111111", "k", JDK25);
        Files.writeString(archive, "classes"); // e.g. copied in by hand, or left by a crash before the .sum
        assertEquals(Optional.of("no checksum file app-11111111-k.aot.sum"), ArchiveCache.verify(archive));
    }

    @Test
    void aTruncatedArchiveIsNotTrusted() throws Exception {
        Path archive = cache().archive("app-11111111", "k", JDK25);
        ArchiveCache.install(built(archive, "classes"), archive, null, Map.of("entry", "Main"));
        try (FileChannel ch = FileChannel.open(archive, StandardOpenOption.WRITE)) {
            ch.truncate(3);
        }
        assertEquals(Optional.of("size 3 bytes, expected 7"), ArchiveCache.verify(archive));
    }

    @Test
    void anArchiveCorruptedInPlaceIsNotTrusted() throws Exception {
        Path archive = cache().archive("app-11111111", "k", JDK25);
        ArchiveCache.install(built(archive, "classes"), archive, null, Map.of("entry", "Main"));
        Files.writeString(archive, "CLASSES"); // same size, same inode
        // a write moves ctime, which no tool sets back; the same clock tick as the install cannot be excluded
        // here, so mtime is moved as well to keep the test deterministic
        Files.setLastModifiedTime(archive, FileTime.fromMillis(0));
        assertEquals(Optional.of("SHA-256 mismatch"), ArchiveCache.verify(archive));
    }

    @Test
    void aChecksumThatDoesNotMatchIsNotTrusted() throws Exception {
        Path archive = cache().archive("app-11111111", "k", JDK25);
        Files.writeString(archive, "classes");
        Files.writeString(ArchiveCache.sumFile(archive), "7 " + "0".repeat(64) + "\nentry=Main\n");
        assertEquals(Optional.of("SHA-256 mismatch"), ArchiveCache.verify(archive));
        Files.writeString(ArchiveCache.sumFile(archive), "garbage\n");
        assertEquals(Optional.of("unreadable checksum file app-11111111-k.aot.sum"), ArchiveCache.verify(archive));
    }

    @Test
    void aGoodArchiveInstalledByAnotherMasterMeanwhileStays() throws Exception {
        Path archive = cache().archive("app-11111111", "k", JDK25);
        assertTrue(ArchiveCache.install(built(archive, "theirs"), archive, null, Map.of("entry", "Main")));
        Path ours = built(archive, "ours!!");

        assertFalse(ArchiveCache.install(ours, archive, null, Map.of("entry", "Main")));

        assertEquals("theirs", Files.readString(archive));
        assertFalse(Files.exists(ours));
        assertEquals(Optional.empty(), ArchiveCache.verify(archive));
    }

    @Test
    void aCorruptArchiveIsReplacedByANewBuild() throws Exception {
        Path archive = cache().archive("app-11111111", "k", JDK25);
        Files.writeString(archive, "left by a crash, no .sum");
        assertTrue(ArchiveCache.install(built(archive, "fresh"), archive, null, Map.of("entry", "Main")));
        assertEquals("fresh", Files.readString(archive));
        assertEquals(Optional.empty(), ArchiveCache.verify(archive));
    }

    @Test
    void anArchiveWithoutAnEntryPointIsReplaced() throws Exception {
        Path archive = cache().archive("app-11111111", "k", JDK25);
        ArchiveCache.install(built(archive, "old"), archive, null, Map.of());
        assertTrue(ArchiveCache.install(built(archive, "new"), archive, null, Map.of("entry", "Main")));
        assertEquals("new", Files.readString(archive));
    }

    /**
     * Another master plans while this one installs: after each step of the install it looks the archive up as
     * the Preloader does, without the lock. An archive it can see must be one it can use, or it would delete it.
     */
    private static List<String> whatAMasterLookingMeanwhileSees(Path archive) throws IOException {
        List<String> seen = new ArrayList<>();
        assertTrue(ArchiveCache.install(built(archive, "fresh"), archive, null, Map.of("entry", "Main"),
                () -> seen.add(Files.exists(archive) ? ArchiveCache.check(archive).orElse("good") : "none")));
        return seen;
    }

    @Test
    void aMasterLookingDuringAnInstallSeesNoArchiveOrAGoodOne() throws Exception {
        Path archive = cache().archive("app-11111111", "k", JDK25);
        List<String> seen = whatAMasterLookingMeanwhileSees(archive);
        assertTrue(seen.stream().allMatch(s -> s.equals("none") || s.equals("good")), seen.toString());
        assertEquals("good", seen.get(seen.size() - 1));
        assertEquals(FileHashes.stat(archive), ArchiveCache.meta(archive).getProperty("stat"),
                "the installed .sum still records the stat that spares a reuse the hashing");
    }

    @Test
    void aMasterLookingWhileACorruptArchiveIsReplacedSeesItGoAwayFirst() throws Exception {
        Path archive = cache().archive("app-11111111", "k", JDK25);
        Files.writeString(archive, "left by a crash, no .sum");
        List<String> seen = whatAMasterLookingMeanwhileSees(archive);
        assertTrue(seen.stream().allMatch(s -> s.equals("none") || s.equals("good")),
                "never the old archive beside the new .sum: " + seen);
        assertEquals("fresh", Files.readString(archive));
    }

    @Test
    void discardKeepsAnArchiveThatIsGoodByNow() throws Exception {
        Path archive = cache().archive("app-11111111", "k", JDK25);
        ArchiveCache.install(built(archive, "x"), archive, null, Map.of("entry", "Main"));
        assertFalse(ArchiveCache.discard(archive), "found bad a moment ago, installed by another master since");
        assertEquals(Optional.empty(), ArchiveCache.check(archive));

        Files.writeString(archive, "y");
        assertTrue(ArchiveCache.discard(archive));
        assertFalse(Files.exists(archive));
        assertFalse(Files.exists(ArchiveCache.sumFile(archive)));
    }

    @Test
    void deleteRemovesTheArchiveAndItsChecksum() throws Exception {
        Path archive = cache().archive("app-11111111", "k", JDK25);
        ArchiveCache.install(built(archive, "x"), archive, null, Map.of("entry", "Main"));
        ArchiveCache.delete(archive);
        assertFalse(Files.exists(archive));
        assertFalse(Files.exists(ArchiveCache.sumFile(archive)));
    }

    // --- where the cache lives ---

    @Test
    void theDefaultDirectoryFollowsXdgThenHome() {
        assertEquals(Path.of("/xdg/einhorn-jvm"), ArchiveCache.defaultDir(Map.of("XDG_CACHE_HOME", "/xdg",
                "HOME", "/home/u")));
        assertEquals(Path.of("/home/u/.cache/einhorn-jvm"), ArchiveCache.defaultDir(Map.of("XDG_CACHE_HOME",
                "relative", "HOME", "/home/u")), "a relative XDG_CACHE_HOME is ignored, as the spec says");
        assertEquals(Path.of("/home/u/.cache/einhorn-jvm"), ArchiveCache.defaultDir(Map.of("HOME", "/home/u")));
    }
}
