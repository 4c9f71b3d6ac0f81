package dev.einhorn.preload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remembered hashes never outlive a change of the file, even one that keeps its size and mtime. */
class FileHashesTest {
    @TempDir
    Path dir;

    @Test
    void aHashIsRememberedUntilTheFileChangesEvenWithItsSizeAndMtimeKept() throws Exception {
        Path jar = Files.writeString(dir.resolve("app.jar"), "version one", StandardCharsets.UTF_8);
        FileTime mtime = Files.getLastModifiedTime(jar);
        String first = FileHashes.sha256(jar, dir);
        assertEquals(sha("version one"), first);
        assertTrue(Files.readString(dir.resolve(FileHashes.MEMO)).contains(first), "remembered");
        assertEquals(first, FileHashes.sha256(jar, dir));

        Thread.sleep(20); // a ctime tick
        Files.writeString(jar, "version two", StandardCharsets.UTF_8); // same size
        Files.setLastModifiedTime(jar, mtime); // same mtime, as rsync -t or tar would leave it
        String second = FileHashes.sha256(jar, dir);
        assertNotEquals(first, second);
        assertEquals(sha("version two"), second);
    }

    @Test
    void aReplacedFileIsHashedAgain() throws Exception {
        Path jar = Files.writeString(dir.resolve("app.jar"), "old contents", StandardCharsets.UTF_8);
        String first = FileHashes.sha256(jar, dir);
        Path next = Files.writeString(dir.resolve("next.jar"), "new contents", StandardCharsets.UTF_8);
        Files.move(next, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertNotEquals(first, FileHashes.sha256(jar, dir));
        assertEquals(sha("new contents"), FileHashes.sha256(jar, dir));
    }

    private static String sha(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
