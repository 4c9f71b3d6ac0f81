package dev.einhorn.shell;

import dev.einhorn.cli.ShellWords;

import dev.einhorn.config.TmpDir;
import dev.einhorn.protocol.Client;
import dev.einhorn.protocol.ParseException;
import dev.einhorn.protocol.RubyInspect;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code einhornsh [options] [cmd_name]}: a shell for a running master's command socket, behaving as
 * Einhorn 0.8.2's (docs/COMPATIBILITY.md#einhornsh). Each input line is split on {@code ;}, each part shell-split
 * into {@code command args...} and sent as {@code {id: n, command: c, args: [...]}}; every reply message is
 * printed until one without a truthy {@code wait}.
 *
 * <p>Beyond Ruby: when not interactive, a reply stream whose last message starts with {@value
 * #UPGRADE_FAILED_PREFIX} (our master's upgrade failure) makes einhornsh exit with {@link
 * #UPGRADE_FAILED_EXIT_STATUS} at once, so deploy scripts running {@code einhornsh -e upgrade} notice; and
 * a connection lost while a reply is awaited is a one-line error with exit status 1, not a backtrace.
 * History is kept for the session only, as Ruby's Readline does.
 */
@Command(name = "einhornsh", sortOptions = false, usageHelpAutoWidth = false,
        customSynopsis = "einhornsh [options] [cmd_name]",
        description = {"", "Welcome to Einhorn Shell! cmd_name corresponds to the -c argument", "passed to Einhorn.", "",
                "einhornsh [options] watch [cmd_name]: a live table of the workers.", ""})
public final class Einhornsh {
    /** Exit status of a non-interactive einhornsh whose command ended with an upgrade failure. */
    public static final int UPGRADE_FAILED_EXIT_STATUS = 2;
    /** How our master's final message starts when an upgrade fails. */
    public static final String UPGRADE_FAILED_PREFIX = "Upgrade failed";

    @Option(names = {"-c", "--command-name"}, paramLabel = "CMD_NAME",
            description = "Connect to the Einhorn master with the provided cmd_name")
    private String commandName;

    @Option(names = {"-d", "--socket-path"}, paramLabel = "PATH", description = "Path to the Einhorn command socket")
    private Path socketPath;

    @Option(names = {"-e", "--execute"}, paramLabel = "CMD_LINE_SEQ",
            description = "Execute the given ;-separated commands and exit")
    private String execute;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Display this message")
    private boolean help;

    @Parameters(paramLabel = "cmd_name", arity = "0..*", hidden = true)
    private List<String> positional = List.of();

    private final PrintStream out;
    private final PrintStream err;
    private int requestId;

    private Einhornsh(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> {
            System.err.println();
            System.exit(0);
        });
        boolean terminal = System.console() != null;
        System.exit(run(args, terminal ? null : stdinLines(), System.out, System.err));
    }

    /**
     * Runs einhornsh; returns its exit status.
     *
     * @param input the lines to run when neither {@code -e} is given nor stdin is a terminal, or null for
     *     an interactive session on the terminal (ehlo greeting, banner, prompt, line editing)
     */
    static int run(String[] args, LineSource input, PrintStream out, PrintStream err) {
        Einhornsh shell = new Einhornsh(out, err);
        CommandLine cli = new CommandLine(shell);
        try {
            cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            err.println(e.getMessage());
            cli.usage(err);
            return 1;
        }
        boolean watch = !shell.positional.isEmpty() && shell.positional.get(0).equals(WATCH);
        if (shell.help || shell.positional.size() > (watch ? 2 : 1)) {
            cli.usage(err);
            return 1;
        }
        if (watch) {
            shell.positional = shell.positional.subList(1, shell.positional.size());
            return Watch.run(shell.socket(), out);
        }
        return shell.session(input);
    }

    /**
     * {@code einhornsh [OPTIONS] watch [cmd_name]}: the live worker table ({@link Watch}). A master named
     * "watch" is reached with {@code -c watch}.
     */
    static final String WATCH = "watch";

    private Path socket() {
        if (socketPath != null) return socketPath;
        String name = commandName != null ? commandName : positional.isEmpty() ? null : positional.get(0);
        return TmpDir.einhornFile(name, "sock");
    }

    private int session(LineSource input) {
        Path path = socket();
        boolean interactive = execute == null && input == null;
        try (Client client = connect(path)) {
            if (client == null) return 1;
            LineSource lines = execute != null ? LineSource.of(List.of(execute)) : input;
            if (interactive) {
                exchange(client, ehlo(), err);
                err.println("Enter 'help' if you're not sure what to do.");
                err.println();
                err.println("Type \"quit\" or \"exit\" to quit at any time");
                lines = new InteractiveLines();
            }
            for (String line = lines.next(); line != null; line = lines.next()) {
                Integer status = runLine(client, line, interactive);
                if (status != null) return status;
            }
            return 0;
        } catch (EOFException e) {
            err.println("einhornsh: the Einhorn master closed the connection before its reply was complete");
        } catch (IOException e) {
            err.println("einhornsh: Error communicating with Einhorn: " + e.getMessage());
        } catch (ParseException e) {
            err.println("einhornsh: Could not parse a reply from Einhorn: " + e.getMessage());
        }
        return 1;
    }

    /** Connects, or explains why not (Ruby's text for a missing socket) and returns null. */
    private Client connect(Path path) {
        try {
            return Client.connect(path);
        } catch (IOException e) {
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                err.print("Could not connect to Einhorn master process:\n\n"
                        + "  No such file or directory - connect(2) for " + path + "\n\n"
                        + "HINT: Are you sure you are running an Einhorn master?  If so, you\n"
                        + "should pass einhornsh the cmd_name (-c argument) provided to Einhorn.\n");
            } else {
                err.println("Could not connect to Einhorn master process at " + path + ": " + e.getMessage());
            }
            err.flush();
            return null;
        }
    }

    /** Runs one input line; returns an exit status to stop with, or null to go on. */
    private Integer runLine(Client client, String line, boolean interactive) throws IOException, ParseException {
        for (String part : line.split(";", -1)) {
            List<String> words;
            try {
                words = ShellWords.split(part);
            } catch (IllegalArgumentException e) { // an unmatched quote
                err.println("einhornsh: " + e.getMessage());
                if (interactive) continue;
                return 1;
            }
            if (words.isEmpty()) continue;
            String command = words.get(0);
            if (command.equals("quit") || command.equals("exit")) {
                if (interactive) err.println("Goodbye!");
                return 0;
            }
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("id", ++requestId);
            request.put("command", command);
            request.put("args", List.copyOf(words.subList(1, words.size())));
            String last = exchange(client, request, out);
            if (!interactive && last.startsWith(UPGRADE_FAILED_PREFIX)) {
                return UPGRADE_FAILED_EXIT_STATUS;
            }
        }
        return null;
    }

    private static Map<String, Object> ehlo() {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("command", "ehlo");
        request.put("user", System.getenv("USER"));
        return request;
    }

    /**
     * Sends a request and prints each reply's message to {@code to} as it arrives, until a reply without
     * a truthy (Ruby: neither nil nor false) {@code wait}; returns that last message. Non-mapping replies
     * are reported on stdout and skipped, as in Ruby.
     */
    private String exchange(Client client, Map<String, Object> request, PrintStream to)
            throws IOException, ParseException {
        client.send(request);
        while (true) {
            Object reply = client.receive();
            if (reply instanceof Map<?, ?> map) {
                Object message = map.get("message");
                String text = message == null ? "" : message.toString();
                emit(to, text);
                Object wait = map.get("wait");
                if (wait == null || Boolean.FALSE.equals(wait)) return text;
            } else {
                out.println("Invalid response type " + RubyInspect.className(reply) + ": " + RubyInspect.inspect(reply));
            }
        }
    }

    /** Ruby's {@code puts}: a newline unless the text already ends with one. */
    private static void emit(PrintStream stream, String text) {
        stream.print(text.endsWith("\n") ? text : text + "\n");
        stream.flush();
    }

    private static LineSource stdinLines() {
        BufferedReader reader = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        return reader::readLine;
    }
}
