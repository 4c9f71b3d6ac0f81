package dev.einhorn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.einhorn.config.AckMode;
import dev.einhorn.config.BindSpec;
import dev.einhorn.config.Config;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EinhornCliTest {
    private static final Map<String, String> NO_ENV = Map.of();

    static CliResult parse(String... args) {
        return EinhornCli.parse(args, NO_ENV);
    }

    static Config run(String... args) {
        CliResult r = parse(args);
        assertInstanceOf(CliResult.Run.class, r, () -> "expected Run, got " + r);
        return ((CliResult.Run) r).config();
    }

    static String error(String... args) {
        CliResult r = parse(args);
        assertInstanceOf(CliResult.Error.class, r, () -> "expected Error, got " + r);
        String message = ((CliResult.Error) r).message();
        assertFalse(message.contains("\n"), message);
        assertEquals(1, ((CliResult.Error) r).exitCode());
        return message;
    }

    // ------------------------------------------------------------------ parsing rules

    @Test
    void standbyNeedsPreloadAndANonNegativeCount() {
        assertEquals(2, run("--standby", "2", "-p", "app.jar", "app.jar").standby());
        assertEquals(null, run("-p", "app.jar", "app.jar").standby(), "unset: the master's default (1 with -p)");
        assertEquals(0, run("--standby", "0", "sleep", "5").standby(), "0 without -p is fine: it is the default");
        assertEquals("einhorn: --standby 2 needs -p: a standby is a preloaded worker JVM that waits warm; without -p"
                + " there is nothing to keep warm (use --standby 0 or -p)", error("--standby", "2", "sleep", "5"));
        assertEquals("einhorn: --standby: \"-1\" is not a non-negative integer", error("--standby", "-1", "-p", "a.jar", "a.jar"));
    }

    @Test
    void optionsStopAtTheFirstPositional() {
        Config c = run("-n", "2", "sleep", "5", "-n", "3");
        assertEquals(2, c.number());
        assertEquals(List.of("sleep", "5", "-n", "3"), c.command());
    }

    @Test
    void unknownLookingArgumentsAfterTheProgramAreKept() {
        assertEquals(List.of("ruby", "--bogus", "-h", "--version", "--upgrade-check", "@file"),
                run("ruby", "--bogus", "-h", "--version", "--upgrade-check", "@file").command());
    }

    @Test
    void doubleDashEndsOptionsAndIsConsumed() {
        assertEquals(List.of("-weird", "arg"), run("-n", "2", "--", "-weird", "arg").command());
        assertEquals(List.of("sleep", "--", "5"), run("--", "sleep", "--", "5").command());
        assertEquals(List.of("sleep", "--", "x"), run("sleep", "--", "x").command());
        assertEquals(List.of("--"), run("--", "--").command());
    }

    @Test
    void doubleDashWithoutProgramIsShortUsage() {
        CliResult r = parse("-n", "2", "--");
        assertInstanceOf(CliResult.Help.class, r);
        assertTrue(((CliResult.Help) r).text().startsWith("## Usage"));
    }

    @Test
    void clusteredShortOptions() {
        Config c = run("-gkn3", "x");
        assertTrue(c.commandSocketAsFd());
        assertTrue(c.killChildrenOnExit());
        assertEquals(3, c.number());
    }

    @Test
    void attachedValues() {
        assertEquals(3, run("-n3", "x").number());
        assertEquals(AckMode.timer(0.1), run("-m0.1", "x").ackMode());
        assertEquals(5, run("-t5", "x").signalTimeout());
        assertEquals(4, run("--number=4", "x").number());
        assertEquals(4, run("--number", "4", "x").number());
        assertEquals(List.of("env", "A=b"), run("--reexec-as=env A=b", "x").reexecAs());
    }

    @Test
    void uniquePrefixesOfLongOptions() {
        assertEquals(2, run("--num=2", "x").number());
        assertEquals(AckMode.timer(0.1), run("--ack=0.1", "x").ackMode());
        assertEquals(5, run("--signal", "5", "x").signalTimeout());
        assertTrue(run("--gc", "x").gcBeforeFork());
        assertEquals(3, run("--max-una=3", "x").maxUnacked());
        assertEquals(Path.of("/s"), run("--sock", "/s", "x").socketPath());
    }

    @Test
    void ambiguousPrefixNamesTheCandidates() {
        assertEquals("einhorn: ambiguous option: --max-u (could be --max-unacked, --max-upgrade-additional)",
                error("--max-u", "3", "x"));
        assertEquals("einhorn: ambiguous option: --max-u (could be --max-unacked, --max-upgrade-additional)",
                error("--max-u=3", "x"));
    }

    @Test
    void unknownOption() {
        assertEquals("einhorn: unknown option: --bogus", error("--bogus", "x"));
        assertEquals("einhorn: unknown option: --bogus", error("-n", "2", "--bogus", "x"));
        assertEquals("einhorn: unknown option: -x", error("-x"));
        assertEquals("einhorn: unknown option: -x", error("-gx", "y"));
    }

    @Test
    void missingArgument() {
        assertEquals("einhorn: option -n/--number needs a value", error("-n"));
        assertEquals("einhorn: option -n/--number needs a value", error("--number"));
        assertEquals("einhorn: option -b/--bind needs a value", error("-b"));
        assertEquals("einhorn: option --max-unacked needs a value", error("--max-unacked"));
        assertEquals("einhorn: option -n/--number needs a value", error("-n", "--", "x"));
    }

    @Test
    void valuesMayLookLikeOptions() {
        assertEquals("-g", run("-c", "-g", "x").commandName());
        assertEquals(AckMode.timer(-0.5), run("-m", "-0.5", "x").ackMode());
    }

    @Test
    void aLoneDashIsAProgramOrAValue() {
        assertEquals(List.of("-", "a"), run("-n2", "-", "a").command());
        assertEquals(List.of("-"), run("-").command());
        assertEquals(List.of("-", "-"), run("-d", "-", "-", "-").command());
        assertEquals(Path.of("-"), run("-d", "-", "x").socketPath());
        assertEquals(List.of("x", "-", "--=y"), run("x", "-", "--=y").command());
    }

    @Test
    void emptyOptionNames() {
        assertEquals("einhorn: unknown option: --=x", error("--=x", "y"));
        assertEquals("einhorn: unknown option: -=x", error("-=x", "y"));
        assertEquals("einhorn: unknown option: --=", error("--="));
        assertEquals(List.of("--=x"), run("--", "--=x").command());
        assertEquals("--=x", run("-c", "--=x", "y").commandName());
    }

    @Test
    void switchesTakeNoValue() {
        assertEquals("einhorn: option -k/--kill-children-on-exit takes no value (got \"x\")", error("-gk=x", "y"));
        assertEquals("einhorn: option --gc-before-fork takes no value (got \"1\")", error("--gc-before-fork=1", "y"));
    }

    @Test
    void atFilesAreNotExpanded() {
        assertEquals(List.of("@args"), run("@args").command());
    }

    // ------------------------------------------------------------------ terminal results

    @Test
    void noProgramPrintsShortUsageAndExits1() {
        for (String[] args : new String[][] {{}, {"-n", "2"}, {"-gk"}}) {
            CliResult r = parse(args);
            assertInstanceOf(CliResult.Help.class, r);
            CliResult.Help h = (CliResult.Help) r;
            assertEquals(1, h.exitCode());
            assertTrue(h.text().startsWith("## Usage\n"));
            assertTrue(h.text().contains("\n### Options\n\n    -b, --bind ADDR "));
            assertFalse(h.text().contains("## Overview"));
            assertTrue(h.text().endsWith("\n"));
        }
    }

    @Test
    void helpPrintsLongUsageAndExits1() {
        for (String[] args : new String[][] {{"-h"}, {"--help"}, {"--he"}, {"-gh"}, {"-h", "--bogus"}, {"-h", "x"}}) {
            CliResult r = parse(args);
            assertInstanceOf(CliResult.Help.class, r, () -> String.join(" ", args));
            CliResult.Help h = (CliResult.Help) r;
            assertEquals(1, h.exitCode());
            assertTrue(h.text().startsWith("## Usage\n"));
            for (String section : List.of("## Overview", "### Server sockets", "### Command socket",
                    "### Seamless upgrades", "### ACKs", "#### Manual ACK", "#### Timer ACK [default]",
                    "### Preloading", "### Command name", "### Options")) {
                assertTrue(h.text().contains("\n" + section + "\n"), section);
            }
            assertTrue(h.text().endsWith(UsageText.optionSummary()));
        }
    }

    @Test
    void optionsBeforeHelpAreStillChecked() {
        assertEquals("einhorn: -n/--number: \"abc\" is not a positive integer", error("-n", "abc", "-h"));
        assertEquals("einhorn: unknown option: --bogus", error("--bogus", "-h"));
    }

    @Test
    void version() {
        for (String[] args : new String[][] {{"--version"}, {"--vers", "x"}, {"-n", "2", "--version", "--bogus"}}) {
            CliResult r = parse(args);
            assertInstanceOf(CliResult.Version.class, r);
            assertEquals("einhorn-jvm 0.1.0 (compatible with Einhorn 0.8.2)\n", ((CliResult.Version) r).text());
            assertEquals(0, ((CliResult.Version) r).exitCode());
        }
    }

    @Test
    void upgradeCheckExitsZeroAndIgnoresTheRest() {
        for (String[] args : new String[][] {{"--upgrade-check"}, {"--upgrade-check", "--bogus", "-n"},
                {"-n", "2", "--upgrade-check", "-m", "foo"}, {"--upgrade-c"}}) {
            CliResult r = parse(args);
            assertInstanceOf(CliResult.UpgradeCheck.class, r, () -> String.join(" ", args) + " -> " + r);
            assertEquals(0, ((CliResult.UpgradeCheck) r).exitCode());
        }
    }

    @Test
    void finishPrintsWhereEinhornDoes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(1, parse("--bogus").finish(o, e));
        assertEquals("einhorn: unknown option: --bogus\n", err.toString(StandardCharsets.UTF_8));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertEquals(0, parse("--version").finish(o, e));
        assertEquals("einhorn-jvm 0.1.0 (compatible with Einhorn 0.8.2)\n", out.toString(StandardCharsets.UTF_8));
        out.reset();
        assertEquals(1, parse().finish(o, e));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("## Usage"));
        out.reset();
        assertEquals(0, parse("--upgrade-check").finish(o, e));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertThrows(IllegalStateException.class, () -> parse("x").finish(o, e));
    }

    // ------------------------------------------------------------------ validation

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            -n abc                        | einhorn: -n/--number: "abc" is not a positive integer
            -n 0                          | einhorn: -n/--number: "0" is not a positive integer
            -n -1                         | einhorn: -n/--number: "-1" is not a positive integer
            -n 3x                         | einhorn: -n/--number: "3x" is not a positive integer
            -n 1.5                        | einhorn: -n/--number: "1.5" is not a positive integer
            -n 99999999999                | einhorn: -n/--number: "99999999999" is too large
            -l abc                        | einhorn: -l/--backlog: "abc" is not a positive integer
            -l 0                          | einhorn: -l/--backlog: "0" is not a positive integer
            -m foo                        | einhorn: -m/--ack-mode: Invalid ack-mode "foo" (valid modes: FLOAT or manual)
            -m Infinity                   | einhorn: -m/--ack-mode: Invalid ack-mode "Infinity" (valid modes: FLOAT or manual)
            -m 1e999                      | einhorn: -m/--ack-mode: Invalid ack-mode "1e999" (valid modes: FLOAT or manual)
            -s 0                          | einhorn: -s/--seconds: seconds must be > 0 (got "0")
            -s 0.0                        | einhorn: -s/--seconds: seconds must be > 0 (got "0.0")
            -s -1                         | einhorn: -s/--seconds: seconds must be > 0 (got "-1")
            -s abc                        | einhorn: -s/--seconds: "abc" is not a number
            -t 1.5                        | einhorn: -t/--signal-timeout: "1.5" is not a non-negative integer
            -t -1                         | einhorn: -t/--signal-timeout: "-1" is not a non-negative integer
            --signal-timeout=x            | einhorn: -t/--signal-timeout: "x" is not a non-negative integer
            --max-unacked 0               | einhorn: --max-unacked: "0" is not a positive integer
            --max-unacked=-2              | einhorn: --max-unacked: "-2" is not a positive integer
            --max-upgrade-additional -1   | einhorn: --max-upgrade-additional: "-1" is not a non-negative integer
            --with-state-fd x             | einhorn: --with-state-fd: "x" is not a non-negative integer
            -b 127.0.0.1                  | einhorn: -b "127.0.0.1": bind address must be of the form HOST:PORT[,FLAG...] (IPv6: [ADDR]:PORT; a UNIX socket: /PATH or ./PATH; a systemd socket: name:NAME)
            -b 127.0.0.1:80,rn            | einhorn: -b "127.0.0.1:80,rn": unknown flag "rn" (valid: r, so_reuseaddr, n, o_nonblock, so_reuseport; separate flags with commas)
            -b 127.0.0.1:70000            | einhorn: -b "127.0.0.1:70000": port 70000 is out of range (0-65535)
            -b ::1:80                     | einhorn: -b "::1:80": bind address must be of the form HOST:PORT[,FLAG...] (IPv6: [ADDR]:PORT; a UNIX socket: /PATH or ./PATH; a systemd socket: name:NAME)
            --upgrade-timeout 0           | einhorn: --upgrade-timeout: "0" is not a positive number of seconds
            --upgrade-timeout soon        | einhorn: --upgrade-timeout: "soon" is not a positive number of seconds
            --graceful-signal FOO         | einhorn: --graceful-signal: "FOO" is not a signal name (e.g. USR2, TERM, QUIT, INT, HUP)
            --graceful-signal 99          | einhorn: --graceful-signal: "99" is not a signal name (e.g. USR2, TERM, QUIT, INT, HUP)
            --graceful-signal SIGSTOP     | einhorn: --graceful-signal: STOP cannot be handled and does not end a worker
            --nice x                      | einhorn: --nice: "x" in "x" is not an integer (expected MASTER[:WORKER][:RENICE_CMD] with integer nice levels)
            --nice 1:y                    | einhorn: --nice: "y" in "1:y" is not an integer (expected MASTER[:WORKER][:RENICE_CMD] with integer nice levels)
            --nice ::                     | einhorn: --nice: "::" sets nothing (expected MASTER[:WORKER][:RENICE_CMD] with integer nice levels)
            --reexec-as='a                | einhorn: --reexec-as: unmatched quote in "'a"
            --drop-env-var A=B            | einhorn: --drop-env-var: "A=B" is not an environment variable name
            """)
    void rejectsBadValuesWithOneLine(String args, String message) {
        String[] argv = (args.trim() + " prog").split(" ");
        assertEquals(message, error(argv));
    }

    @Test
    void rejectsEmptyValues() {
        assertEquals("einhorn: -n/--number: \"\" is not a positive integer", error("--number=", "x"));
        assertEquals("einhorn: --reexec-as: the command line is empty", error("--reexec-as=", "x"));
        assertEquals("einhorn: --reexec-as: the command line is empty", error("--reexec-as=  ", "x"));
        assertEquals("einhorn: -d/--socket-path: the path is empty", error("-d", "", "x"));
        assertEquals("einhorn: -p/--preload: the path is empty", error("-p", "", "x"));
        assertEquals("einhorn: --drop-env-var: \"\" is not an environment variable name", error("--drop-env-var=", "x"));
        assertEquals("einhorn: --nice: \"\" sets nothing (expected MASTER[:WORKER][:RENICE_CMD] with integer nice levels)",
                error("--nice=", "x"));
    }

    @Test
    void firstBadOptionWins() {
        assertEquals("einhorn: -n/--number: \"0\" is not a positive integer", error("-n", "0", "-l", "0", "x"));
    }

    // ------------------------------------------------------------------ every flag

    @Test
    void defaults(@TempDir Path tmp) {
        Config c = ((CliResult.Run) EinhornCli.parse(new String[] {"sleep", "5"},
                Map.of("TMPDIR", tmp.toString()))).config();
        assertEquals(List.of(), c.binds());
        assertNull(c.commandName());
        assertEquals(tmp.resolve("einhorn.sock"), c.socketPath());
        assertEquals(tmp.resolve("einhorn.pid"), c.pidfile());
        assertEquals(tmp.resolve("einhorn.lock"), c.lockfile());
        assertFalse(c.commandSocketAsFd());
        assertFalse(c.killChildrenOnExit());
        assertEquals(100, c.backlog());
        assertEquals(AckMode.timer(1), c.ackMode());
        assertEquals(1, c.number());
        assertNull(c.preload());
        assertEquals(1, c.verbosity());
        assertEquals(1.0, c.seconds());
        assertEquals(List.of(), c.dropEnvVars());
        assertEquals(List.of(), c.reexecAs());
        assertNull(c.niceMaster());
        assertNull(c.niceWorker());
        assertEquals("/usr/bin/renice", c.reniceCommand());
        assertNull(c.withStateFd());
        assertFalse(c.upgradeCheck());
        assertNull(c.signalTimeout());
        assertNull(c.maxUnacked());
        assertNull(c.maxUpgradeAdditional());
        assertFalse(c.gcBeforeFork());
        assertEquals("USR2", c.gracefulSignal());
        assertNull(c.upgradeTimeout());
        assertNull(c.java());
        assertNull(c.preloadCache());
        assertEquals(List.of("sleep", "5"), c.command());
    }

    @Test
    void defaultFilesWithCommandName(@TempDir Path tmp) {
        Config c = ((CliResult.Run) EinhornCli.parse(new String[] {"-c", "my-app", "x"},
                Map.of("TMPDIR", tmp.toString()))).config();
        assertEquals("my-app", c.commandName());
        assertEquals(tmp.resolve("einhorn-my-app.sock"), c.socketPath());
        assertEquals(tmp.resolve("einhorn-my-app.pid"), c.pidfile());
        assertEquals(tmp.resolve("einhorn-my-app.lock"), c.lockfile());
    }

    @Test
    void defaultFilesWithoutTmpdirAreInTmp() {
        Config c = run("-c", "app", "x");
        assertEquals(Path.of("/tmp/einhorn-app.sock"), c.socketPath());
        assertEquals(Path.of("/tmp/einhorn-app.pid"), c.pidfile());
        assertEquals(Path.of("/tmp/einhorn-app.lock"), c.lockfile());
        assertEquals(Path.of("/tmp/einhorn.sock"), run("x").socketPath());
    }

    @Test
    void explicitFilesAreIndependent(@TempDir Path tmp) {
        Config c = ((CliResult.Run) EinhornCli.parse(new String[] {"-d", "rel/cmd.sock", "-c", "n", "x"},
                Map.of("TMPDIR", tmp.toString()))).config();
        assertEquals(Path.of("rel/cmd.sock"), c.socketPath());
        assertEquals(tmp.resolve("einhorn-n.pid"), c.pidfile());
        assertEquals(tmp.resolve("einhorn-n.lock"), c.lockfile());
        Config d = run("-e", "/run/e.pid", "-f", "/run/e.lock", "x");
        assertEquals(Path.of("/run/e.pid"), d.pidfile());
        assertEquals(Path.of("/run/e.lock"), d.lockfile());
    }

    @Test
    void everyFlag() {
        Config c = run("-b", "127.0.0.1:0", "--bind=[::]:0,r", "-c", "name", "-d", "/s.sock", "-e", "/p.pid",
                "-f", "/l.lock", "-g", "-k", "-l", "50", "-m", "manual", "-n", "4", "-p", "app.jar", "-q", "-s",
                "0.1", "--drop-env-var", "A", "--drop-env-var=B", "--reexec-as=env X='a b' einhorn",
                "--nice", "5:10:/bin/renice", "--with-state-fd", "7", "-t", "3", "--max-unacked=2",
                "--max-upgrade-additional=0", "--gc-before-fork", "--graceful-signal", "sigterm",
                "--upgrade-timeout", "2.5", "--java", "/opt/jdk/bin/java", "--preload-cache", "/var/cache/e",
                "--", "java", "-jar", "app.jar");
        assertEquals(List.of(new BindSpec("127.0.0.1", 0, List.of(), false, false, false),
                new BindSpec("::", 0, List.of("r"), true, false, false)), c.binds());
        assertEquals("name", c.commandName());
        assertEquals(Path.of("/s.sock"), c.socketPath());
        assertEquals(Path.of("/p.pid"), c.pidfile());
        assertEquals(Path.of("/l.lock"), c.lockfile());
        assertTrue(c.commandSocketAsFd());
        assertTrue(c.killChildrenOnExit());
        assertEquals(50, c.backlog());
        assertEquals(AckMode.manualMode(), c.ackMode());
        assertEquals(4, c.number());
        assertEquals("app.jar", c.preload());
        assertEquals(2, c.verbosity());
        assertEquals(0.1, c.seconds());
        assertEquals(List.of("A", "B"), c.dropEnvVars());
        assertEquals(List.of("env", "X=a b", "einhorn"), c.reexecAs());
        assertEquals(5, c.niceMaster());
        assertEquals(10, c.niceWorker());
        assertEquals("/bin/renice", c.reniceCommand());
        assertEquals(7, c.withStateFd());
        assertEquals(3, c.signalTimeout());
        assertEquals(2, c.maxUnacked());
        assertEquals(0, c.maxUpgradeAdditional());
        assertTrue(c.gcBeforeFork());
        assertEquals("TERM", c.gracefulSignal());
        assertEquals(2.5, c.upgradeTimeout());
        assertEquals(Path.of("/opt/jdk/bin/java"), c.java());
        assertEquals(Path.of("/var/cache/e"), c.preloadCache());
        assertEquals(List.of("java", "-jar", "app.jar"), c.command());
    }

    @Test
    void repeatedBindsKeepTheirOrder() {
        List<BindSpec> binds = run("-b", "127.0.0.1:0", "-b", "127.0.0.1:0,n,so_reuseaddr", "-b", "[::1]:8080", "x")
                .binds();
        assertEquals(3, binds.size());
        assertEquals(List.of("n", "so_reuseaddr"), binds.get(1).flags());
        assertTrue(binds.get(1).nonBlock() && binds.get(1).reuseAddr());
        assertEquals("::1", binds.get(2).host());
        assertEquals("[::1]:8080", binds.get(2).address());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            manual | true  | 0
            1      | false | 1
            0.5    | false | 0.5
            1e2    | false | 100
            ' 2 '  | false | 2
            1_0    | false | 10
            .25    | false | 0.25
            -1     | false | -1
            """)
    void ackModes(String value, boolean manual, double timeout) {
        assertEquals(new AckMode(manual, timeout), run("-m", value, "x").ackMode());
    }

    @Test
    void verbosityIsClampedInOrder() {
        assertEquals(1, run("x").verbosity());
        assertEquals(2, run("-q", "x").verbosity());
        assertEquals(2, run("-qqq", "x").verbosity());
        assertEquals(2, run("-q", "-q", "--quiet", "x").verbosity());
        assertEquals(0, run("-v", "x").verbosity());
        assertEquals(0, run("-vvv", "--verbose", "x").verbosity());
        assertEquals(1, run("-vvq", "x").verbosity());
        assertEquals(1, run("-qqqv", "x").verbosity());
        assertEquals(0, run("-qv", "-v", "x").verbosity());
    }

    @Test
    void niceForms() {
        Config master = run("--nice", "5", "x");
        assertEquals(5, master.niceMaster());
        assertNull(master.niceWorker());
        assertEquals("/usr/bin/renice", master.reniceCommand());

        Config both = run("--nice=5:-3", "x");
        assertEquals(5, both.niceMaster());
        assertEquals(-3, both.niceWorker());

        Config all = run("--nice", "-2:10:/usr/local/bin/renice", "x");
        assertEquals(-2, all.niceMaster());
        assertEquals(10, all.niceWorker());
        assertEquals("/usr/local/bin/renice", all.reniceCommand());

        Config workerOnly = run("--nice", ":7", "x");
        assertNull(workerOnly.niceMaster());
        assertEquals(7, workerOnly.niceWorker());

        Config cmdOnly = run("--nice", "1::sudo renice", "x");
        assertEquals(1, cmdOnly.niceMaster());
        assertNull(cmdOnly.niceWorker());
        assertEquals("sudo renice", cmdOnly.reniceCommand());

        assertEquals("/opt/a:b/renice", run("--nice", "1:2:/opt/a:b/renice", "x").reniceCommand());
    }

    @Test
    void reexecAsIsSplitIntoShellWords() {
        assertEquals(List.of("env", "VAR=a", "/usr/bin/einhorn"),
                run("--reexec-as=env VAR=a /usr/bin/einhorn", "x").reexecAs());
        assertEquals(List.of("env", "VAR=b c", "OINK=d\"e", "bundle", "exec", "einhorn"),
                run("--reexec-as", "env VAR='b c' OINK=\"d\\\"e\" bundle exec einhorn", "x").reexecAs());
        assertEquals(List.of("/srv/my app/upgrade_reexec.sh"),
                run("--reexec-as", "/srv/my\\ app/upgrade_reexec.sh", "x").reexecAs());
    }

    @ParameterizedTest
    @CsvSource({"USR2,USR2", "SIGUSR2,USR2", "usr2,USR2", "sigusr2,USR2", "TERM,TERM", "QUIT,QUIT", "INT,INT",
            "HUP,HUP", "15,TERM", "SIGIOT,ABRT", "KILL,KILL", "winch,WINCH"})
    void gracefulSignalNames(String given, String canonical) {
        assertEquals(canonical, run("--graceful-signal", given, "x").gracefulSignal());
    }

    @Test
    void integersAcceptRubyLeniency() {
        assertEquals(10, run("-n", "1_0", "x").number());
        assertEquals(2, run("-n", " 2 ", "x").number());
        assertEquals(3, run("-n", "+3", "x").number());
        assertEquals(0, run("-t", "0", "x").signalTimeout());
    }
}
