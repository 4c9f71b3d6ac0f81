package dev.einhorn.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Build-time generator (run by Maven at prepare-package, see launcher/pom.xml) of the release's man page
 * {@code man/man1/einhorn.1} and bash completion {@code completion/einhorn.bash}, both from the picocli model
 * of the real command line ({@link EinhornCli#commandSpec()}), so they cannot drift from the parser. The man
 * page is troff written here: picocli-codegen's ManPageGenerator writes AsciiDoc, which would need Asciidoctor
 * (JRuby) in the build to become a man page.
 */
public final class DocGen {
    private DocGen() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/generated-docs");
        CommandSpec spec = EinhornCli.commandSpec();
        Files.createDirectories(out.resolve("man/man1"));
        Files.createDirectories(out.resolve("completion"));
        Files.writeString(out.resolve("man/man1/einhorn.1"), manPage(spec), StandardCharsets.UTF_8);
        String completion = AutoComplete.bash("einhorn", new CommandLine(spec));
        Files.writeString(out.resolve("completion/einhorn.bash"), completion, StandardCharsets.UTF_8);
    }

    static String manPage(CommandSpec spec) {
        StringBuilder m = new StringBuilder();
        m.append(".TH EINHORN 1 \"").append(LocalDate.now(ZoneOffset.UTC)).append("\" \"einhorn-jvm ")
                .append(EinhornCli.VERSION).append("\" \"User Commands\"\n");
        m.append(".SH NAME\neinhorn \\- run and upgrade a pool of worker processes sharing listening sockets\n");
        m.append(".SH SYNOPSIS\n.B einhorn\n[\\fIOPTIONS\\fR] [\\fB\\-\\-\\fR] \\fIPROGRAM\\fR [\\fIARGS\\fR...]\n");
        m.append(".SH DESCRIPTION\n").append(escape("einhorn binds the -b sockets once, starts -n copies of PROGRAM "
                + "that inherit them (EINHORN_FD_0, EINHORN_FD_1, ...), restarts workers that die, and replaces them "
                + "without dropping connections on an upgrade (einhornsh -e upgrade, or SIGHUP). It is a Java "
                + "reimplementation of Stripe's Einhorn " + EinhornCli.EINHORN_VERSION
                + " with the same command line, command socket and worker environment.")).append('\n');
        m.append(".SH OPTIONS\n");
        for (OptionSpec o : spec.options()) {
            m.append(".TP\n");
            String names = String.join(", ", o.names());
            StringBuilder head = new StringBuilder("\\fB").append(escape(names)).append("\\fR");
            if (o.arity().max() > 0) head.append(" \\fI").append(escape(o.paramLabel())).append("\\fR");
            m.append(head).append('\n');
            m.append(escape(String.join(" ", o.description()))).append('\n');
        }
        m.append(".SH BIND ADDRESSES\n").append(escape("-b HOST:PORT[,FLAG...] binds a TCP socket (IPv6: "
                + "[ADDR]:PORT; flags r/so_reuseaddr, n/o_nonblock, so_reuseport). -b /PATH[,mode=0660][,n] (or "
                + "./PATH) binds a UNIX-domain socket; a stale socket file is replaced, a live one or a non-socket "
                + "file is refused. -b name:NAME adopts the socket systemd passed with FileDescriptorName=NAME.")).append('\n');
        m.append(".SH SIGNALS\n").append(escape("HUP: smooth upgrade. INT, USR2: graceful stop (the graceful "
                + "signal to every worker). TERM: stop with TERM. TTIN/TTOU: one worker more/less.")).append('\n');
        m.append(".SH ENVIRONMENT\n").append(escape("LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES (systemd socket "
                + "activation), NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID (sd_notify), JAVA_HOME, "
                + "EINHORN_MASTER_JAVA, EINHORN_JVM_OPTS (the master's JVM). Workers get EINHORN_FD_COUNT, "
                + "EINHORN_FD_n, EINHORN_FD_FAMILY_n, EINHORN_SOCK_PATH, EINHORN_MASTER_PID, EINHORN_CHILD_INDEX "
                + "and never the systemd variables.")).append('\n');
        m.append(".SH SEE ALSO\n.BR einhornsh (1);\ndocs/OPERATIONS.md and docs/CLI.md in the release.\n");
        return m.toString();
    }

    /** troff: backslashes, leading dots and dashes. */
    static String escape(String s) {
        String e = s.replace("\\", "\\e").replace("-", "\\-");
        return e.startsWith(".") || e.startsWith("'") ? "\\&" + e : e;
    }
}
