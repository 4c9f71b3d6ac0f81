package dev.einhorn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TmpDirTest {
    @Test
    void defaultsToTmp() {
        assertEquals(Path.of("/tmp"), TmpDir.resolve(Map.of()));
        assertEquals(Path.of("/tmp"), TmpDir.resolve(Map.of("TMPDIR", "")));
    }

    @Test
    void firstUsableVariableWins(@TempDir Path a, @TempDir Path b) {
        assertEquals(a, TmpDir.resolve(Map.of("TMPDIR", a.toString(), "TMP", b.toString())));
        assertEquals(b, TmpDir.resolve(Map.of("TMP", b.toString(), "TEMP", a.toString())));
        assertEquals(a, TmpDir.resolve(Map.of("TEMP", a.toString())));
    }

    @Test
    void skipsMissingDirectoriesAndFiles(@TempDir Path a) throws IOException {
        Path file = Files.createFile(a.resolve("f"));
        assertEquals(a, TmpDir.resolve(Map.of("TMPDIR", a.resolve("missing").toString(), "TMP", file.toString(),
                "TEMP", a.toString())));
    }

    @Test
    void skipsWorldWritableWithoutStickyBit(@TempDir Path a) throws IOException {
        Path open = Files.createDirectory(a.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(a, TmpDir.resolve(Map.of("TMPDIR", open.toString(), "TMP", a.toString())));
    }

    @Test
    void skipsReadOnly(@TempDir Path a) throws IOException {
        Path ro = Files.createDirectory(a.resolve("ro"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            if (Files.isWritable(ro)) return; // running as root: nothing is read-only
            assertEquals(a, TmpDir.resolve(Map.of("TMPDIR", ro.toString(), "TMP", a.toString())));
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void resultIsAbsoluteAndNormalised(@TempDir Path a) {
        assertEquals(a, TmpDir.resolve(Map.of("TMPDIR", a + "/./")));
        Path cwd = Path.of("").toAbsolutePath();
        assertEquals(cwd, TmpDir.resolve(Map.of("TMPDIR", ".")));
    }
}
