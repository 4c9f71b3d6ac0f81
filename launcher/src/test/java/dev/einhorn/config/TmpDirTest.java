package dev.einhorn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TmpDirTest {
    @TempDir Path dir;

    @Test
    void firstUsableOfTmpdirTmpTemp() throws Exception {
        Path file = Files.createFile(dir.resolve("file"));
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path good = Files.createDirectory(dir.resolve("good"));
        assertEquals(good, TmpDir.resolve(Map.of("TMPDIR", file.toString(), "TMP", open.toString(), "TEMP", good.toString())));
        assertEquals(good, TmpDir.resolve(Map.of("TMPDIR", "", "TEMP", good.toString())));
        assertEquals(dir, TmpDir.resolve(Map.of("TMPDIR", dir + "/./")));
    }
}
