package dev.einhorn.preload;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The two worker command forms {@code -p} understands: {@code app.jar ARGS...} and
 * {@code java [JVM options] -jar app.jar ARGS...}.
 *
 * @param java       the command's java (form 2), or null (form 1)
 * @param jvmOptions the JVM options before {@code -jar} (carried over to the workers and the training run)
 * @param jar        the jar as written
 * @param appArgs    the app's arguments
 */
record JavaCommand(String java, List<String> jvmOptions, Path jar, List<String> appArgs) {
    /** java launcher options whose value is the next word. */
    private static final Set<String> TAKES_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p", "--module-path",
            "--upgrade-module-path", "--add-modules", "--limit-modules", "--add-exports", "--add-opens", "--add-reads",
            "--patch-module", "--enable-native-access", "--source");

    static Optional<JavaCommand> parse(List<String> command) {
        if (command.isEmpty()) return Optional.empty();
        String first = command.get(0);
        if (first.endsWith(".jar")) {
            return Optional.of(new JavaCommand(null, List.of(), Path.of(first), command.subList(1, command.size())));
        }
        if (!Path.of(first).getFileName().toString().equals("java")) return Optional.empty();
        List<String> options = new ArrayList<>();
        for (int i = 1; i < command.size(); i++) {
            String word = command.get(i);
            if (word.equals("-jar")) {
                if (i + 1 >= command.size()) return Optional.empty();
                return Optional.of(new JavaCommand(first, options, Path.of(command.get(i + 1)),
                        command.subList(i + 2, command.size())));
            }
            if (!word.startsWith("-") || word.equals("-m") || word.equals("--module") || word.startsWith("--module=")) {
                return Optional.empty(); // a main class or a module: not the -jar form
            }
            options.add(word);
            if (TAKES_VALUE.contains(word) && i + 1 < command.size()) options.add(command.get(++i));
        }
        return Optional.empty();
    }

    /** The same app started the ordinary way, with the given java: {@code java [options] -jar app.jar ARGS}. */
    List<String> coldCommand(String javaPath) {
        List<String> argv = new ArrayList<>();
        argv.add(javaPath);
        argv.addAll(jvmOptions);
        argv.add("-jar");
        argv.add(jar.toString());
        argv.addAll(appArgs);
        return argv;
    }
}
