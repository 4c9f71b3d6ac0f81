package dev.einhorn.cli;

import dev.einhorn.config.AckMode;
import dev.einhorn.config.BindSpec;
import dev.einhorn.config.Config;
import dev.einhorn.config.TmpDir;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * Einhorn 0.8.2's command line ({@code bin/einhorn}, docs/COMPATIBILITY.md#cli), parsed with picocli the way
 * Ruby's {@code OptionParser#order!} does it: options end at the first non-option word (everything from
 * there on is the worker command, untouched) or at a literal {@code --}; short options cluster
 * ({@code -gkn3}); values attach ({@code -n3}, {@code --number=3}) or follow; long options may be
 * abbreviated to any unique prefix ({@code --num=2}). Options take effect in order, so {@code -h},
 * {@code --version} and {@code --upgrade-check} end parsing where they stand, like Einhorn.
 *
 * <p>Unlike Einhorn, values are checked: a bad one is an {@link CliResult.Error} with one line naming
 * the flag and the problem, never a stack trace.
 */
public final class EinhornCli {
    /** This implementation's version. */
    public static final String VERSION = "0.1.0";
    /** The Einhorn release whose command line, environment and protocol we follow. */
    public static final String EINHORN_VERSION = "0.8.2";

    static final String DEFAULT_RENICE = "/usr/bin/renice";

    static {
        // picocli registers type converters for java.sql and java.time by reflection, which loads some 90 JDK classes
        // that then stay in the master for good (the JDK's classes are never unloaded, unlike picocli's own here);
        // no einhorn option has such a type. picocli's documented switch; docs/FOOTPRINT.md has the measurement.
        if (System.getProperty("picocli.converters.excludes") == null) {
            System.setProperty("picocli.converters.excludes", "java\\.(sql|time)\\..*");
        }
    }

    private static final Pattern INTEGER = Pattern.compile("\\s*([+-]?\\d+(?:_\\d+)*)\\s*");
    private static final Pattern FLOAT = Pattern.compile(
            "\\s*([+-]?(?:\\d+(?:_\\d+)*(?:\\.\\d+(?:_\\d+)*)?|\\.\\d+(?:_\\d+)*)(?:[eE][+-]?\\d+(?:_\\d+)*)?)\\s*");
    private static final Pattern QUOTED = Pattern.compile("'(-[^']*)'");

    /**
     * One option: its names, the label of its argument (null for a switch), whether the summary writes
     * the label after {@code =}, its one-line description, and what it does.
     */
    record Opt(String shortName, String longName, String label, boolean equalsForm, String description,
               BiConsumer<State, String> action) {
        String[] names() {
            return shortName == null ? new String[] {longName} : new String[] {shortName, longName};
        }

        /** "-n/--number" or "--max-unacked", for messages. */
        String display() {
            return shortName == null ? longName : shortName + "/" + longName;
        }

        /** The left column of the option summary. */
        String summaryLeft() {
            String names = (shortName == null ? "    " : shortName + ", ") + longName;
            return label == null ? names : names + (equalsForm ? "=" : " ") + label;
        }
    }

    static final List<Opt> OPTIONS = List.of(
            new Opt("-b", "--bind", "ADDR", false,
                    "Bind an address and add the corresponding FD via the environment",
                    (s, v) -> s.binds.add(bind(v))),
            new Opt("-c", "--command-name", "CMD_NAME", false,
                    "Name this einhorn: default files become einhorn-CMD_NAME.sock/.pid/.lock, and einhornsh"
                            + " shows the name",
                    (s, v) -> s.commandName = v),
            new Opt("-d", "--socket-path", "PATH", false,
                    "Where to open the Einhorn command socket",
                    (s, v) -> s.socketPath = path(s.opt, v)),
            new Opt("-e", "--pidfile", "PIDFILE", false,
                    "Where to write out the Einhorn pidfile",
                    (s, v) -> s.pidfile = path(s.opt, v)),
            new Opt("-f", "--lockfile", "LOCKFILE", false,
                    "Where to store the Einhorn lockfile",
                    (s, v) -> s.lockfile = path(s.opt, v)),
            new Opt("-g", "--command-socket-as-fd", null, false,
                    "Leave the command socket open as a file descriptor, passed in the EINHORN_SOCK_FD environment"
                            + " variable. This allows your worker processes to ACK without needing to know where on"
                            + " the filesystem the command socket lives.",
                    (s, v) -> s.commandSocketAsFd = true),
            new Opt("-h", "--help", null, false,
                    "Display this message",
                    (s, v) -> {
                        throw new Stop(new CliResult.Help(UsageText.longUsage(), 1));
                    }),
            new Opt("-k", "--kill-children-on-exit", null, false,
                    "If Einhorn exits unexpectedly, gracefully kill all its children",
                    (s, v) -> s.killChildrenOnExit = true),
            new Opt("-l", "--backlog", "N", false,
                    "Connection backlog (assuming this is a server)",
                    (s, v) -> s.backlog = positiveInt(s.opt, v)),
            new Opt("-m", "--ack-mode", "MODE", false,
                    "What kinds of ACK to expect from workers. Choices: FLOAT (number of seconds until assumed"
                            + " alive), manual (process will speak to command socket when ready). Default is MODE=1.",
                    (s, v) -> s.ackMode = ackMode(s.opt, v)),
            new Opt("-n", "--number", "N", false,
                    "Number of copies to spin up",
                    (s, v) -> s.number = positiveInt(s.opt, v)),
            new Opt("-p", "--preload", "PATH", false,
                    "Preload this jar once in the master (a shared class-data archive per version of the jar) and start"
                            + " workers in its einhornMain. A path that is not a jar is ignored (workers are run"
                            + " as a plain command)",
                    (s, v) -> s.preload = nonEmpty(s.opt, v)),
            new Opt("-q", "--quiet", null, false,
                    "Make output quiet (can be reconfigured on the fly)",
                    (s, v) -> s.verbosity = Math.min(2, s.verbosity + 1)),
            new Opt("-s", "--seconds", "N", false,
                    "Number of seconds to wait until respawning",
                    (s, v) -> s.seconds = seconds(s.opt, v)),
            new Opt("-v", "--verbose", null, false,
                    "Make output verbose (can be reconfigured on the fly)",
                    (s, v) -> s.verbosity = Math.max(0, s.verbosity - 1)),
            new Opt(null, "--drop-env-var", "VAR_NAME", false,
                    "Delete VAR_NAME from the environment that is restored on upgrade",
                    (s, v) -> s.dropEnvVars.add(envName(s.opt, v))),
            new Opt(null, "--reexec-as", "CMDLINE", true,
                    "Substitute CMDLINE for \"einhorn\" when upgrading",
                    (s, v) -> s.reexecAs = reexecAs(s.opt, v)),
            new Opt(null, "--nice", "MASTER[:WORKER][:RENICE_CMD=/usr/bin/renice]", false,
                    "Unix nice level at which to run the einhorn processes. If not running as root, make sure to"
                            + " ulimit -e as appropriate. (Set with setpriority(2); RENICE_CMD is accepted and unused.)",
                    EinhornCli::nice),
            new Opt(null, "--with-state-fd", "STATE", false,
                    "[Internal option] With file descriptor containing state",
                    (s, v) -> s.withStateFd = nonNegativeInt(s.opt, v)),
            new Opt(null, "--upgrade-check", null, false,
                    "[Internal option] Check if Einhorn can exec itself and exit with status 0 before loading code",
                    (s, v) -> {
                        throw new Stop(new CliResult.UpgradeCheck());
                    }),
            new Opt("-t", "--signal-timeout", "T", true,
                    "If children do not react to signals after T seconds, escalate to SIGKILL",
                    (s, v) -> s.signalTimeout = nonNegativeInt(s.opt, v)),
            new Opt(null, "--max-unacked", "N", true,
                    "Maximum number of workers that can be unacked when gracefully upgrading.",
                    (s, v) -> s.maxUnacked = positiveInt(s.opt, v)),
            new Opt(null, "--max-upgrade-additional", "N", true,
                    "Maximum number of additional workers that can be running during an upgrade.",
                    (s, v) -> s.maxUpgradeAdditional = nonNegativeInt(s.opt, v)),
            new Opt(null, "--gc-before-fork", null, false,
                    "Accepted for compatibility (Einhorn runs Ruby's GC before forking preloaded workers); no"
                            + " effect on JVM workers",
                    (s, v) -> s.gcBeforeFork = true),
            new Opt(null, "--version", null, false,
                    "Show version",
                    (s, v) -> {
                        throw new Stop(new CliResult.Version(versionLine() + "\n"));
                    }),
            new Opt(null, "--graceful-signal", "SIG", false,
                    "Signal that asks a worker to finish its work and exit, on upgrade, scale-down and shutdown"
                            + " (USR2, TERM, QUIT, INT, HUP...; default USR2, as Einhorn)",
                    (s, v) -> s.gracefulSignal = gracefulSignal(s.opt, v)),
            new Opt(null, "--upgrade-timeout", "SECONDS", false,
                    "Give up an upgrade whose new workers have not all ACKed after SECONDS (default: wait"
                            + " forever, as Einhorn)",
                    (s, v) -> s.upgradeTimeout = positiveSeconds(s.opt, v)),
            new Opt(null, "--java", "PATH", false,
                    "Java executable for preloaded (-p) workers (default: a java named by path in the command,"
                            + " then $JAVA_HOME/bin/java, then java on the PATH)",
                    (s, v) -> s.java = path(s.opt, v)),
            new Opt(null, "--preload-cache", "DIR", false,
                    "Where the class-data archives built for -p are kept (default: under the user's cache"
                            + " directory)",
                    (s, v) -> s.preloadCache = path(s.opt, v)),
            new Opt(null, "--standby", "N", false,
                    "With -p: keep N warm standby JVMs (started, warmed up, parked) to activate instead of starting"
                            + " a JVM when a worker is needed (default 1 with -p; 0 turns them off)",
                    (s, v) -> s.standby = nonNegativeInt(s.opt, v)));

    private EinhornCli() {}

    /** {@code einhorn-jvm 0.1.0 (compatible with Einhorn 0.8.2)}, no newline. */
    public static String versionLine() {
        return "einhorn-jvm " + VERSION + " (compatible with Einhorn " + EINHORN_VERSION + ")";
    }

    /**
     * Parses einhorn's arguments.
     *
     * @param args the command line after the program name
     * @param env  the environment (only {@code TMPDIR}, {@code TMP}, {@code TEMP} are read, for the
     *             default socket, pid and lock file locations)
     */
    public static CliResult parse(String[] args, Map<String, String> env) {
        Objects.requireNonNull(args);
        Objects.requireNonNull(env);
        State state = new State();
        CommandSpec spec = spec(state);
        CommandLine cl = new CommandLine(spec)
                .setStopAtPositional(true)
                .setEndOfOptionsDelimiter("--")
                .setPosixClusteredShortOptionsAllowed(true)
                .setAbbreviatedOptionsAllowed(true)
                .setAbbreviatedSubcommandsAllowed(false)
                .setOverwrittenOptionsAllowed(true)
                .setAllowOptionsAsOptionParameters(true)
                .setUnmatchedOptionsAllowedAsOptionParameters(true)
                .setUnmatchedArgumentsAllowed(false)
                .setExpandAtFiles(false)
                .setTrimQuotes(false)
                .setCaseInsensitiveEnumValuesAllowed(false)
                .setToggleBooleanFlags(false);
        ParseResult parsed;
        try {
            parsed = cl.parseArgs(hide(args));
        } catch (RuntimeException e) {
            return fromException(e, cl);
        }
        List<String> command = new ArrayList<>();
        if (parsed.hasMatchedPositional(0)) {
            for (String arg : parsed.matchedPositional(0).stringValues()) command.add(unhide(arg));
        }
        if (command.isEmpty()) return new CliResult.Help(UsageText.shortUsage(), 1);
        String first = parsed.matchedPositional(0).stringValues().get(0);
        if (first.startsWith(HIDDEN_OPTION)) return unknownOption(command.get(0));
        if (state.standby != null && state.standby > 0 && state.preload == null) {
            return new CliResult.Error("einhorn: --standby " + state.standby + " needs -p: a standby is a preloaded"
                    + " worker JVM that waits warm; without -p there is nothing to keep warm (use --standby 0 or -p)");
        }
        return new CliResult.Run(state.toConfig(command, env));
    }

    /** The picocli model of einhorn's command line, for generated docs (man page, bash completion). */
    public static CommandSpec commandSpec() {
        return spec(new State());
    }

    private static CommandSpec spec(State state) {
        CommandSpec spec = CommandSpec.create().name("einhorn");
        for (Opt opt : OPTIONS) spec.addOption(optionSpec(opt, state));
        spec.addPositional(PositionalParamSpec.builder()
                .index("0..*")
                .arity("0..*")
                .paramLabel("PROGRAM")
                .type(List.class)
                .auxiliaryTypes(String.class)
                .build());
        return spec;
    }

    // picocli 4.7.6 with abbreviated options throws IndexOutOfBoundsException on "-", "--=x" and "-=x"
    // where it looks for an option. Until the first "--" (which picocli never takes as a value) such
    // arguments are swapped for markers that cannot be real arguments (argv never contains NUL) and
    // swapped back in values and in the command. A lone "-" is a program name (as in Ruby); "--=x" or
    // "-=x" where an option is expected is an unknown option.
    private static final String HIDDEN = "\0einhorn-hidden:";
    private static final String HIDDEN_DASH = HIDDEN + "-";
    private static final String HIDDEN_OPTION = HIDDEN + "option:";

    private static String[] hide(String[] args) {
        String[] out = args.clone();
        for (int i = 0; i < out.length && !out[i].equals("--"); i++) {
            if (out[i].equals("-")) {
                out[i] = HIDDEN_DASH;
            } else if (out[i].startsWith("-=") || out[i].startsWith("--=")) {
                out[i] = HIDDEN_OPTION + out[i];
            }
        }
        return out;
    }

    static String unhide(String arg) {
        if (arg == null || !arg.startsWith(HIDDEN)) return arg;
        if (arg.equals(HIDDEN_DASH)) return "-";
        return arg.substring(HIDDEN_OPTION.length());
    }

    // ---------------------------------------------------------------------------------------------

    private static OptionSpec optionSpec(Opt opt, State state) {
        OptionSpec.Builder b = OptionSpec.builder(opt.names())
                .description(opt.description())
                .hasInitialValue(false)
                .setter(new ISetter() {
                    @Override
                    public <T> T set(T value) {
                        // picocli also calls setters to reset options before parsing: ignore that
                        if (value == null) return null;
                        state.opt = opt;
                        opt.action().accept(state, opt.label() == null ? null : unhide((String) value));
                        return null;
                    }
                });
        if (opt.label() == null) {
            b.arity("0").type(boolean.class);
        } else {
            b.arity("1").type(String.class).paramLabel(opt.label());
        }
        return b.build();
    }

    private static CliResult fromException(RuntimeException e, CommandLine cl) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Stop stop) {
                // an unknown option before -h/--version/--upgrade-check is still an error, as in Einhorn
                List<String> unmatched = cl.getUnmatchedArguments();
                if (!unmatched.isEmpty()) return unknownOption(unmatched.get(0));
                return stop.result;
            }
            if (t instanceof Invalid invalid) return new CliResult.Error("einhorn: " + invalid.getMessage());
        }
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            return unknownOption(u.getUnmatched().get(0));
        }
        if (e instanceof CommandLine.MissingParameterException m && m.getMissing() != null
                && !m.getMissing().isEmpty()) {
            ArgSpec missing = m.getMissing().get(0);
            if (missing instanceof OptionSpec o) {
                Opt opt = byName(o.longestName());
                String name = opt == null ? o.longestName() : opt.display();
                return new CliResult.Error("einhorn: option " + name + " needs a value");
            }
        }
        String message = String.valueOf(e.getMessage());
        if (message.contains("is not unique")) {
            Matcher m = QUOTED.matcher(message);
            List<String> names = new ArrayList<>();
            while (m.find()) names.add(m.group(1));
            if (names.size() >= 2) {
                return new CliResult.Error("einhorn: ambiguous option: " + names.get(0) + " (could be "
                        + String.join(", ", names.subList(1, names.size())) + ")");
            }
        }
        if (!(rootCause(e) instanceof CommandLine.PicocliException)) {
            // a picocli bug: say which argument, not which exception
            Matcher at = AT_ARG.matcher(message);
            return new CliResult.Error("einhorn: cannot parse the command line"
                    + (at.find() ? " at " + ShellWords.quote(unhide(at.group(1))) : ""));
        }
        Matcher noValue = NO_VALUE.matcher(message);
        if (noValue.find()) {
            Opt opt = byName(noValue.group(1));
            return new CliResult.Error("einhorn: option " + (opt == null ? noValue.group(1) : opt.display())
                    + " takes no value (got " + ShellWords.quote(unhide(noValue.group(2))) + ")");
        }
        message = message.replaceFirst("^Error: ", "");
        int nl = message.indexOf('\n');
        if (nl >= 0) message = message.substring(0, nl);
        return new CliResult.Error("einhorn: " + message);
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t;
    }

    private static final Pattern NO_VALUE =
            Pattern.compile("option '([^']+)' should be specified without '(.*)' parameter");
    private static final Pattern AT_ARG = Pattern.compile("at or before arg\\[\\d+\\] '([^']*)'");

    private static CliResult.Error unknownOption(String arg) {
        // "-gx": picocli reports the whole cluster; name the option as typed
        return new CliResult.Error("einhorn: unknown option: " + unhide(arg));
    }

    private static Opt byName(String name) {
        for (Opt opt : OPTIONS) {
            if (name.equals(opt.longName()) || name.equals(opt.shortName())) return opt;
        }
        return null;
    }

    // ------------------------------------------------------------------ value conversion and checks

    private static BindSpec bind(String v) {
        try {
            return BindSpecParser.parse(v);
        } catch (IllegalArgumentException e) {
            throw new Invalid("-b " + e.getMessage());
        }
    }

    static int positiveInt(Opt opt, String v) {
        Optional<Long> n = integer(v);
        if (n.isEmpty() || n.get() < 1) throw invalid(opt, ShellWords.quote(v) + " is not a positive integer");
        if (n.get() > Integer.MAX_VALUE) throw invalid(opt, ShellWords.quote(v) + " is too large");
        return n.get().intValue();
    }

    static int nonNegativeInt(Opt opt, String v) {
        Optional<Long> n = integer(v);
        if (n.isEmpty() || n.get() < 0) {
            throw invalid(opt, ShellWords.quote(v) + " is not a non-negative integer");
        }
        if (n.get() > Integer.MAX_VALUE) throw invalid(opt, ShellWords.quote(v) + " is too large");
        return n.get().intValue();
    }

    /** Decimal, optional sign, surrounding blanks and digit-separating underscores, like Ruby's Integer(). */
    static Optional<Long> integer(String v) {
        Matcher m = INTEGER.matcher(v);
        if (!m.matches()) return Optional.empty();
        String digits = m.group(1).replace("_", "");
        try {
            return Optional.of(Long.parseLong(digits));
        } catch (NumberFormatException e) {
            return Optional.of(digits.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE);
        }
    }

    /** What Ruby's Float() accepts in decimal form ("1", "0.5", "1e2", " 2 ", "1_0", "-1"), finite only. */
    static Optional<Double> decimal(String v) {
        Matcher m = FLOAT.matcher(v);
        if (!m.matches()) return Optional.empty();
        double d = Double.parseDouble(m.group(1).replace("_", ""));
        return Double.isFinite(d) ? Optional.of(d) : Optional.empty();
    }

    private static AckMode ackMode(Opt opt, String v) {
        if (v.equals("manual")) return AckMode.manualMode();
        Optional<Double> d = decimal(v);
        if (d.isEmpty()) {
            throw invalid(opt, "Invalid ack-mode " + ShellWords.quote(v) + " (valid modes: FLOAT or manual)");
        }
        return AckMode.timer(d.get());
    }

    private static double seconds(Opt opt, String v) {
        Optional<Double> d = decimal(v);
        if (d.isEmpty()) throw invalid(opt, ShellWords.quote(v) + " is not a number");
        if (d.get() <= 0) throw invalid(opt, "seconds must be > 0 (got " + ShellWords.quote(v) + ")");
        return d.get();
    }

    private static double positiveSeconds(Opt opt, String v) {
        Optional<Double> d = decimal(v);
        if (d.isEmpty() || d.get() <= 0) {
            throw invalid(opt, ShellWords.quote(v) + " is not a positive number of seconds");
        }
        return d.get();
    }

    private static String nonEmpty(Opt opt, String v) {
        if (v.isEmpty()) throw invalid(opt, "the path is empty");
        return v;
    }

    private static Path path(Opt opt, String v) {
        nonEmpty(opt, v);
        try {
            return Path.of(v);
        } catch (InvalidPathException e) {
            throw invalid(opt, ShellWords.quote(v) + " is not a valid path");
        }
    }

    private static String envName(Opt opt, String v) {
        if (v.isEmpty() || v.indexOf('=') >= 0 || v.indexOf('\0') >= 0) {
            throw invalid(opt, ShellWords.quote(v) + " is not an environment variable name");
        }
        return v;
    }

    private static List<String> reexecAs(Opt opt, String v) {
        List<String> words;
        try {
            words = ShellWords.split(v);
        } catch (IllegalArgumentException e) {
            throw invalid(opt, e.getMessage());
        }
        if (words.isEmpty()) throw invalid(opt, "the command line is empty");
        return words;
    }

    /** MASTER[:WORKER][:RENICE_CMD]; an empty part keeps its default, so ":5" renices workers only. */
    private static void nice(State s, String v) {
        String[] parts = v.split(":", 3);
        String form = " (expected MASTER[:WORKER][:RENICE_CMD] with integer nice levels)";
        Integer[] levels = new Integer[2];
        for (int i = 0; i < Math.min(2, parts.length); i++) {
            if (parts[i].isEmpty()) continue;
            Optional<Long> n = integer(parts[i]);
            if (n.isEmpty() || n.get() < Integer.MIN_VALUE || n.get() > Integer.MAX_VALUE) {
                throw invalid(s.opt, ShellWords.quote(parts[i]) + " in " + ShellWords.quote(v)
                        + " is not an integer" + form);
            }
            levels[i] = n.get().intValue();
        }
        String cmd = parts.length == 3 && !parts[2].isEmpty() ? parts[2] : null;
        if (levels[0] == null && levels[1] == null && cmd == null) {
            throw invalid(s.opt, ShellWords.quote(v) + " sets nothing" + form);
        }
        if (levels[0] != null) s.niceMaster = levels[0];
        if (levels[1] != null) s.niceWorker = levels[1];
        if (cmd != null) s.reniceCommand = cmd;
    }

    private static String gracefulSignal(Opt opt, String v) {
        Optional<String> name = SignalNames.canonical(v);
        if (name.isEmpty()) {
            throw invalid(opt, ShellWords.quote(v) + " is not a signal name (e.g. USR2, TERM, QUIT, INT, HUP)");
        }
        if (name.get().equals("STOP")) {
            throw invalid(opt, "STOP cannot be handled and does not end a worker");
        }
        return name.get();
    }

    private static Invalid invalid(Opt opt, String problem) {
        return new Invalid(opt.display() + ": " + problem);
    }

    // ---------------------------------------------------------------------------------------------

    /** A bad value: the message (without "einhorn: ") is the error line. */
    private static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** -h, --version, --upgrade-check: stop parsing with this result. */
    private static final class Stop extends RuntimeException {
        final CliResult result;

        Stop(CliResult result) {
            super(null, null, false, false);
            this.result = result;
        }
    }

    /** The options seen so far, applied in order. */
    static final class State {
        Opt opt;
        final List<BindSpec> binds = new ArrayList<>();
        String commandName;
        Path socketPath;
        Path pidfile;
        Path lockfile;
        boolean commandSocketAsFd;
        boolean killChildrenOnExit;
        int backlog = 100;
        AckMode ackMode = AckMode.timer(1);
        int number = 1;
        String preload;
        int verbosity = 1;
        double seconds = 1;
        final List<String> dropEnvVars = new ArrayList<>();
        List<String> reexecAs = List.of();
        Integer niceMaster;
        Integer niceWorker;
        String reniceCommand = DEFAULT_RENICE;
        Integer withStateFd;
        Integer signalTimeout;
        Integer maxUnacked;
        Integer maxUpgradeAdditional;
        boolean gcBeforeFork;
        String gracefulSignal = "USR2";
        Double upgradeTimeout;
        Path java;
        Path preloadCache;
        Integer standby;

        Config toConfig(List<String> command, Map<String, String> env) {
            Path tmp = socketPath != null && pidfile != null && lockfile != null ? null : TmpDir.resolve(env);
            String base = commandName == null ? "einhorn" : "einhorn-" + commandName;
            return new Config(
                    binds,
                    commandName,
                    socketPath != null ? socketPath : tmp.resolve(base + ".sock"),
                    pidfile != null ? pidfile : tmp.resolve(base + ".pid"),
                    lockfile != null ? lockfile : tmp.resolve(base + ".lock"),
                    commandSocketAsFd,
                    killChildrenOnExit,
                    backlog,
                    ackMode,
                    number,
                    preload,
                    verbosity,
                    seconds,
                    dropEnvVars,
                    reexecAs,
                    niceMaster,
                    niceWorker,
                    reniceCommand,
                    withStateFd,
                    false,
                    signalTimeout,
                    maxUnacked,
                    maxUpgradeAdditional,
                    gcBeforeFork,
                    gracefulSignal,
                    upgradeTimeout,
                    java,
                    preloadCache,
                    standby,
                    command);
        }
    }
}
