package dev.einhorn.cli;

import java.util.List;

/**
 * The texts of {@code einhorn} without a program (short) and {@code einhorn -h} (long). The option
 * summary keeps Einhorn's OptionParser layout (4-space indent, a 32-column left column plus one space,
 * a left column too long to fit on its own line) so scripts and eyes used to it find the same shape;
 * our own options come last in the same layout. The prose is ours.
 */
public final class UsageText {
    static final String INDENT = "    ";
    static final int WIDTH = 32;

    private UsageText() {}

    /** Starts with {@code ## Usage}, ends with the option summary and a newline. */
    public static String shortUsage() {
        return usage("Run `einhorn -h` for the whole guide.\n") + options();
    }

    /** The short usage plus the guide sections, before the option summary. */
    public static String longUsage() {
        return usage("") + GUIDE + options(); // the guide itself: no pointer to it
    }

    /** Every option, one per line (or two when the left column is too wide), each ending with a newline. */
    public static String optionSummary() {
        return summary(EinhornCli.OPTIONS);
    }

    static String summary(List<EinhornCli.Opt> options) {
        StringBuilder out = new StringBuilder();
        for (EinhornCli.Opt opt : options) {
            String left = opt.summaryLeft();
            out.append(INDENT);
            if (left.length() > WIDTH) {
                out.append(left).append('\n').append(" ".repeat(INDENT.length() + WIDTH + 1));
            } else {
                out.append(left).append(" ".repeat(WIDTH - left.length() + 1));
            }
            out.append(opt.description()).append('\n');
        }
        return out.toString();
    }

    private static String usage(String guidePointer) {
        return """
                ## Usage

                einhorn starts several copies ("workers") of a program, hands them listening sockets
                that they share, restarts the ones that die, and replaces all of them with a new
                version without refusing a single connection. This is einhorn for the JVM, a drop-in
                replacement for Einhorn %s: the same options, worker environment and command socket.
                %s
                    einhorn [OPTIONS] [--] PROGRAM [ARGS...]

                Options end at PROGRAM: it and everything after it are passed to the workers
                unchanged. Put `--` before PROGRAM if its name starts with a dash.
                """.formatted(EinhornCli.EINHORN_VERSION, guidePointer);
    }

    private static String options() {
        return "\n### Options\n\n" + optionSummary();
    }

    private static final String GUIDE = """

            Four workers of a server listening on port 8080, restarted a second after they exit:

                $ einhorn -n 4 -b 0.0.0.0:8080 ./my-server

            ## Overview

            The einhorn process is the master. It never serves traffic itself: it owns the
            listening sockets and a command socket, keeps the requested number of workers alive
            (waiting longer and longer between restarts of a worker that keeps crashing), and
            carries out what you ask of it through `einhornsh` or signals: change the number of
            workers, change the log level, upgrade. Workers are ordinary processes; each one is
            its own process group, so ^C in the terminal reaches only the master, which then
            asks every worker to finish.

            ### Server sockets

            `-b HOST:PORT` (repeatable) makes the master bind and listen once; every worker
            inherits the socket and finds it in the environment: `EINHORN_FD_COUNT` says how many
            there are and `EINHORN_FD_0`, `EINHORN_FD_1`, ... hold the descriptor numbers, in the
            order of the `-b` options. Port 0 picks a free port. Write IPv6 addresses in brackets
            (`-b [::1]:8080`). Comma-separated flags after the port set socket options:
            `r` (or `so_reuseaddr`) for SO_REUSEADDR, `n` (or `o_nonblock`) for a non-blocking
            socket, `so_reuseport` for SO_REUSEPORT; `-b 0.0.0.0:80,r,n`. A misspelt flag is an
            error, not silently dropped. `-b /PATH` or `-b ./PATH` binds a UNIX-domain socket
            (flags `mode=OCTAL`, `n`), and under systemd socket activation `-b name:NAME` takes
            the socket whose FileDescriptorName= is NAME. Because the sockets outlive every
            worker and every upgrade, no connection is refused while workers come and go. The
            old `srv:HOST:PORT` placeholders in the worker's arguments still work but are
            deprecated.

            ### Command socket

            The master listens on a UNIX socket, by default `einhorn.sock` in the temporary
            directory ($TMPDIR, $TMP, $TEMP or /tmp; see -c and -d). `einhornsh` talks to it
            (`einhornsh -d PATH`, or `einhornsh -e upgrade` for one command), and so do workers:
            they find its path in `EINHORN_SOCK_PATH`. With -g each worker also gets an already
            connected descriptor in `EINHORN_SOCK_FD`. The pidfile (-e) and lockfile (-f) live
            next to it unless told otherwise.

            ### Seamless upgrades

            `einhornsh -e upgrade` (or SIGHUP to the master) rolls out new code. The master first
            runs a fresh copy of itself with --upgrade-check, then replaces its own image in
            place (same PID, same sockets, same children), starts workers of the new version
            a few at a time (--max-unacked, --max-upgrade-additional), and once a new worker has
            ACKed it asks an old one to finish with the graceful signal (USR2 unless
            --graceful-signal says otherwise). An old worker should stop accepting, finish what it
            has, and exit; with -t it is killed if it is still there T seconds later.
            --upgrade-timeout gives up on an upgrade whose new workers never come up. Use
            --reexec-as and --drop-env-var to control how the master runs itself again.

            ### ACKs

            A new worker is not counted as up, and no old worker is retired for it, until it has
            ACKed.

            #### Manual ACK

            With `-m manual` the worker says when it is ready, typically once it accepts
            connections: it connects to the command socket and sends the line
            `{"command":"worker:ack","pid":PID}`. Einhorn's client libraries (Ruby
            `Einhorn::Worker.ack!`, go-einhorn) and the `Einhorn` API of einhorn for the JVM do
            this for you.

            #### Timer ACK [default]

            With `-m SECONDS` (default `-m 1`) a worker that is still running SECONDS after it was
            started counts as ACKed. Nothing to do in the worker, but the master can only guess.

            ### Preloading

            `-p app.jar` preloads a Java application: once per master image (at start and at every
            reload or upgrade, reused while the jar is unchanged) the master prepares a shared class-data archive for the jar, and each worker
            JVM starts from it and calls the application's `einhornMain`, so workers start fast
            and share memory. Give the worker command as usual after the options; it is what runs
            when PATH is not a jar or cannot be preloaded. --java picks the java executable for
            workers and --preload-cache where archives are kept. With -p the master also keeps
            warm standby JVMs (--standby N, default 1, 0 = off): started from the archive, warmed
            up and parked, one is activated instead of starting a JVM when a worker is needed.

            ### Command name

            `-c NAME` names this einhorn: its default files become `einhorn-NAME.sock`,
            `einhorn-NAME.pid` and `einhorn-NAME.lock`, so several einhorns can run side by side,
            and the name appears in the greeting of einhornsh.
            """;
}
