package dev.einhorn.cli;

import dev.einhorn.config.Config;
import java.io.PrintStream;
import java.util.Objects;

/**
 * What the command line asks for. Only {@link Run} starts a master; every other result is finished by
 * {@link #finish(PrintStream, PrintStream)}: print, then exit with {@link Terminal#exitCode()}.
 */
public sealed interface CliResult {

    /** A result that ends the process right away. */
    sealed interface Terminal extends CliResult {
        int exitCode();
    }

    /** Start a master with this configuration. */
    record Run(Config config) implements CliResult {
        public Run {
            Objects.requireNonNull(config);
        }
    }

    /**
     * Usage text for stdout, printed verbatim (it ends with a newline). {@code -h} gives the long text,
     * a command line without a program the short one (starting with {@code ## Usage}); both exit 1,
     * as Einhorn does.
     */
    record Help(String text, int exitCode) implements Terminal {}

    /** {@code --version}: {@code text} is one line ending with a newline, for stdout; exit 0. */
    record Version(String text) implements Terminal {
        @Override
        public int exitCode() {
            return 0;
        }
    }

    /**
     * {@code --upgrade-check}: the re-exec sentinel. Whatever followed it on the command line is ignored,
     * even a missing program. The master logs its environment info lines and exits 0.
     */
    record UpgradeCheck() implements Terminal {
        @Override
        public int exitCode() {
            return 0;
        }
    }

    /** A bad command line: {@code message} is one line (no newline) for stderr; exit 1. */
    record Error(String message) implements Terminal {
        @Override
        public int exitCode() {
            return 1;
        }
    }

    /**
     * Prints a terminal result (help and version on {@code out}, errors on {@code err}) and returns its
     * exit code. {@link UpgradeCheck} prints nothing here: its info lines belong to the master's logger.
     *
     * @throws IllegalStateException for {@link Run}
     */
    default int finish(PrintStream out, PrintStream err) {
        if (this instanceof Help h) {
            out.print(h.text());
            out.flush();
        } else if (this instanceof Version v) {
            out.print(v.text());
            out.flush();
        } else if (this instanceof Error e) {
            err.println(e.message());
            err.flush();
        } else if (this instanceof Run) {
            throw new IllegalStateException("Run is not a terminal result");
        }
        return ((Terminal) this).exitCode();
    }
}
