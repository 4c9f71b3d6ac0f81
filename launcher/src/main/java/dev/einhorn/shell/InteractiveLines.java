package dev.einhorn.shell;

import java.io.IOException;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Lines typed at the {@code > } prompt, with JLine's line editing and in-memory history (Ruby einhornsh
 * uses Readline the same way). Ctrl-C prints a newline and exits 0, as Ruby's INT trap does; Ctrl-D ends
 * the session.
 */
final class InteractiveLines implements LineSource {
    private final LineReader reader;

    InteractiveLines() throws IOException {
        Terminal terminal = TerminalBuilder.builder().system(true).build();
        reader = LineReaderBuilder.builder().appName("einhornsh").terminal(terminal).build();
    }

    @Override
    public String next() {
        try {
            return reader.readLine("> ");
        } catch (UserInterruptException e) {
            System.err.println();
            System.exit(0);
            return null;
        } catch (EndOfFileException e) {
            return null;
        }
    }
}
