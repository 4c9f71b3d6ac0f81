package dev.einhorn.files;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/**
 * Why a file operation failed, in the OS's words, for a start-up error that already names the user's path. The
 * JDK's {@link FileSystemException} subclasses leave the reason to their type: a {@link NoSuchFileException}'s
 * message is the file's name alone, often a temporary name of ours, so {@code -e /missing/x.pid} used to end in
 * {@code Could not write /missing/x.pid: /missing/.x.pid.8053453491723421935.tmp}, without saying why.
 */
public final class FileErrorText {
    private FileErrorText() {}

    public static String reason(IOException e) {
        if (e instanceof FileSystemException f) {
            if (f.getReason() != null) return f.getReason();
            if (e instanceof NoSuchFileException) return "No such file or directory";
            if (e instanceof AccessDeniedException) return "Permission denied";
            if (e instanceof FileAlreadyExistsException) return "File exists";
            if (e instanceof NotDirectoryException) return "Not a directory";
            if (e instanceof DirectoryNotEmptyException) return "Directory not empty";
            if (e instanceof NotLinkException) return "Not a symbolic link";
            return e.getClass().getSimpleName();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
