package dev.einhorn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class UsageTextTest {
    /** Lines of Einhorn 0.8.2's summary that we keep byte for byte. */
    private static final String EINHORN_LINES = """
                -b, --bind ADDR                  Bind an address and add the corresponding FD via the environment
                -d, --socket-path PATH           Where to open the Einhorn command socket
                -e, --pidfile PIDFILE            Where to write out the Einhorn pidfile
                -f, --lockfile LOCKFILE          Where to store the Einhorn lockfile
                -g, --command-socket-as-fd       Leave the command socket open as a file descriptor, passed in the EINHORN_SOCK_FD environment variable. This allows your worker processes to ACK without needing to know where on the filesystem the command socket lives.
                -h, --help                       Display this message
                -k, --kill-children-on-exit      If Einhorn exits unexpectedly, gracefully kill all its children
                -l, --backlog N                  Connection backlog (assuming this is a server)
                -m, --ack-mode MODE              What kinds of ACK to expect from workers. Choices: FLOAT (number of seconds until assumed alive), manual (process will speak to command socket when ready). Default is MODE=1.
                -n, --number N                   Number of copies to spin up
                -q, --quiet                      Make output quiet (can be reconfigured on the fly)
                -s, --seconds N                  Number of seconds to wait until respawning
                -v, --verbose                    Make output verbose (can be reconfigured on the fly)
                    --drop-env-var VAR_NAME      Delete VAR_NAME from the environment that is restored on upgrade
                    --with-state-fd STATE        [Internal option] With file descriptor containing state
                    --upgrade-check              [Internal option] Check if Einhorn can exec itself and exit with status 0 before loading code
                -t, --signal-timeout=T           If children do not react to signals after T seconds, escalate to SIGKILL
                    --max-unacked=N              Maximum number of workers that can be unacked when gracefully upgrading.
                    --max-upgrade-additional=N   Maximum number of additional workers that can be running during an upgrade.
                    --version                    Show version
            """;

    @Test
    void keepsEinhornsLinesAndLayout() {
        String summary = UsageText.optionSummary();
        for (String line : EINHORN_LINES.split("\n")) {
            assertTrue(summary.contains(line + "\n"), line);
        }
        assertTrue(summary.contains("""
                        --nice MASTER[:WORKER][:RENICE_CMD=/usr/bin/renice]
                                                     Unix nice level at which to run the einhorn processes.\
                """));
    }

    @Test
    void everyOptionIsListedInTheSameLayout() {
        String[] lines = UsageText.optionSummary().split("\n");
        int i = 0;
        for (EinhornCli.Opt opt : EinhornCli.OPTIONS) {
            String line = lines[i++];
            assertTrue(line.startsWith("    " + (opt.shortName() == null ? "    " : opt.shortName() + ", ")
                    + opt.longName()), line);
            if (line.length() > 37 && line.charAt(36) == ' ' && line.charAt(37) != ' ') {
                assertEquals(opt.description(), line.substring(37));
            } else {
                assertEquals(" ".repeat(37) + opt.description(), lines[i++]);
            }
        }
        assertEquals(lines.length, i);
        assertEquals(List.of("--graceful-signal", "--upgrade-timeout", "--java", "--preload-cache", "--standby"),
                EinhornCli.OPTIONS.subList(EinhornCli.OPTIONS.size() - 5, EinhornCli.OPTIONS.size()).stream()
                        .map(EinhornCli.Opt::longName).toList());
    }

    @Test
    void shortAndLong() {
        assertTrue(UsageText.shortUsage().startsWith("## Usage\n"));
        assertTrue(UsageText.shortUsage().endsWith("### Options\n\n" + UsageText.optionSummary()));
        assertTrue(UsageText.longUsage().startsWith("## Usage\n"));
        assertTrue(UsageText.longUsage().length() > UsageText.shortUsage().length());
        assertTrue(UsageText.shortUsage().contains("socket.\nRun `einhorn -h` for the whole guide.\n\n    einhorn [OPTIONS]"));
        assertTrue(!UsageText.longUsage().contains("Run `einhorn -h`"), "the guide does not point to itself");
    }

    /** Every form {@code -b} accepts (BindSpecParser) is in the guide, not only HOST:PORT. */
    @Test
    void theGuideNamesEveryFormOfBind() {
        String guide = UsageText.longUsage().replaceAll("\\s+", " ");
        for (String form : List.of("`-b HOST:PORT`", "`-b [::1]:8080`",
                "`-b /PATH` or `-b ./PATH` binds a UNIX-domain socket", "`-b name:NAME`", "`srv:HOST:PORT`")) {
            assertTrue(guide.contains(form), form);
        }
    }
}
