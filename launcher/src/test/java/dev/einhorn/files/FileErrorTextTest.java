package dev.einhorn.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileErrorTextTest {
    @TempDir
    Path dir;

    @Test
    void aMissingDirectoryIsNamedAsTheOsNamesIt() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> Files.createTempFile(dir.resolve("missing"), ".x.pid.", ".tmp"));
        assertEquals("No such file or directory", FileErrorText.reason(e));
    }

    @Test
    void aReasonTheJdkGivesIsKeptWithoutTheFileName() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "");
        IOException e = assertThrows(IOException.class, () -> Files.createTempDirectory(file, ".einhorn"));
        assertEquals("Not a directory", FileErrorText.reason(e));
    }

    @Test
    void everyOtherKindKeepsItsMessage() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "");
        assertEquals("File exists", FileErrorText.reason(assertThrows(FileAlreadyExistsException.class,
                () -> Files.createFile(file))));
        assertEquals("cannot read the fd", FileErrorText.reason(new IOException("cannot read the fd")));
    }
}
