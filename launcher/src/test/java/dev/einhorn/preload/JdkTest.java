package dev.einhorn.preload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker JDK as read from a fake JDK directory's {@code release} file: no JVM is started. */
class JdkTest {
    @TempDir
    Path dir;

    private Path fakeJdk(String name, String release) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name));
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        if (release != null) Files.writeString(home.resolve("release"), release);
        return java;
    }

    @Test
    void theRuntimeVersionIsTheBuildAndTheFeatureReleaseIsItsFirstNumber() throws Exception {
        Path java = fakeJdk("jdk-21", "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_RUNTIME_VERSION=\"21.0.4+7-LTS\"\n"
                + "JAVA_VERSION=\"21.0.4\"\n");
        Jdk jdk = Jdk.of(java);
        assertEquals("21.0.4+7-LTS", jdk.version());
        assertEquals(21, jdk.feature());
        assertEquals(dir.resolve("jdk-21").toRealPath(), jdk.home());
        assertFalse(jdk.aotCache());
        assertEquals("dynamic AppCDS archive", jdk.archiveKind());
    }

    @Test
    void jdk25AndLaterUseTheAotCache() throws Exception {
        Jdk jdk = Jdk.of(fakeJdk("jdk-25", "JAVA_VERSION=\"25\"\n"));
        assertEquals(25, jdk.feature());
        assertEquals("25", jdk.version(), "without JAVA_RUNTIME_VERSION the version stands for the build");
        assertTrue(jdk.aotCache());
        assertEquals("AOT cache", jdk.archiveKind());
    }

    @Test
    void anEarlyAccessVersionStillHasItsFeatureRelease() throws Exception {
        assertEquals(26, Jdk.of(fakeJdk("jdk-26-ea", "JAVA_VERSION=\"26-ea\"\n")).feature());
    }

    @Test
    void theOldOneDotVersionSchemeNamesItsSecondNumber() throws Exception {
        assertEquals(8, Jdk.of(fakeJdk("jdk8", "JAVA_VERSION=\"1.8.0_402\"\n")).feature());
    }

    @Test
    void aSymlinkedJavaIsFollowedToItsJdk() throws Exception {
        Path java = fakeJdk("real-jdk", "JAVA_VERSION=\"17.0.12\"\n");
        Path link = Files.createSymbolicLink(Files.createDirectories(dir.resolve("usr/bin")).resolve("java"), java);
        Jdk jdk = Jdk.of(link);
        assertEquals(dir.resolve("real-jdk").toRealPath(), jdk.home());
        assertEquals(java.toRealPath(), jdk.java());
        assertEquals(17, jdk.feature());
    }

    @Test
    void aJavaWithoutAReleaseFileIsRefusedWithItsHome() throws Exception {
        IOException e = assertThrows(IOException.class, () -> Jdk.of(fakeJdk("bare", null)));
        assertTrue(e.getMessage().contains("no release file in"), e.getMessage());
    }

    @Test
    void aReleaseFileWithoutOrWithAnUnreadableVersionIsRefusedPrecisely() throws Exception {
        IOException none = assertThrows(IOException.class, () -> Jdk.of(fakeJdk("nover", "IMPLEMENTOR=x\n")));
        assertTrue(none.getMessage().endsWith("has no JAVA_VERSION"), none.getMessage());
        IOException bad = assertThrows(IOException.class, () -> Jdk.of(fakeJdk("badver", "JAVA_VERSION=\"abc\"\n")));
        assertTrue(bad.getMessage().contains("cannot read the JDK version \"abc\""), bad.getMessage());
    }

    @Test
    void aMissingJavaIsSaidToBeMissing() {
        IOException e = assertThrows(IOException.class, () -> Jdk.of(dir.resolve("nowhere/bin/java")));
        assertEquals("no such file", e.getMessage());
    }
}
