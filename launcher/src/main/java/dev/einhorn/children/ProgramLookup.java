package dev.einhorn.children;

import dev.einhorn.startup.StartupException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Einhorn's {@code which}: a path with a slash must exist; a bare name is searched on PATH. */
public final class ProgramLookup {
    private ProgramLookup() {}

    /** The program to exec. Unlike Einhorn, a file that is not executable is skipped. */
    public static String resolve(String program, Map<String, String> env) throws StartupException {
        if (program.contains("/")) {
            Path p = Path.of(program);
            if (!Files.exists(p)) throw new StartupException("Could not find " + program);
            if (!Files.isExecutable(p) || Files.isDirectory(p)) {
                throw new StartupException("Could not run " + program + ": not an executable file");
            }
            return program;
        }
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) dir = ".";
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate.toString();
        }
        throw new StartupException("Could not find " + program + " in PATH");
    }
}
