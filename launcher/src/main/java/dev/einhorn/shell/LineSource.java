package dev.einhorn.shell;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;

/** Where einhornsh's command lines come from: -e, piped stdin, or the interactive terminal. */
@FunctionalInterface
interface LineSource {
    /** The next line, or null at end of input. */
    String next() throws IOException;

    static LineSource of(List<String> lines) {
        Iterator<String> it = lines.iterator();
        return () -> it.hasNext() ? it.next() : null;
    }
}
