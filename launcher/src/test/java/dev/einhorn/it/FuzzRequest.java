package dev.einhorn.it;

import java.nio.charset.StandardCharsets;

/**
 * One generated command-socket request: the bytes of one line (no newline inside), how the client ends it,
 * what the master must do with it, and, for a well-formed request, how its reply must begin.
 *
 * @param kind what family it comes from (counted in the test's summary line)
 * @param line the request line without its terminating newline
 * @param ending how the client sends it and leaves
 * @param chunks into how many separate writes the line is cut (framing across reads)
 * @param expectedPrefix the start of the reply's message, or null when any well-formed reply will do
 * @param judgement what the master must do with it ({@link RequestOracle}); null for hostile documents, which
 *                  may get any well-formed reply or a close
 */
record FuzzRequest(Kind kind, byte[] line, Ending ending, int chunks, String expectedPrefix,
                   RequestOracle.Judgement judgement) {
    enum Kind { JSON, YAML, HOSTILE, BINARY }

    enum Ending {
        /** Send the line and its newline, read the whole reply (or the master's close). */
        LINE,
        /** Send the line and its newline, then disconnect without reading a byte. */
        HANG_UP,
        /** Send part of the line, no newline, then disconnect. */
        MID_LINE
    }

    static FuzzRequest line(Kind kind, String line, String expectedPrefix) {
        return new FuzzRequest(kind, line.getBytes(StandardCharsets.UTF_8), Ending.LINE, 1, expectedPrefix, null);
    }

    FuzzRequest endingWith(Ending e, int chunkCount) {
        return new FuzzRequest(kind, line, e, chunkCount, e == Ending.LINE ? expectedPrefix : null, judgement);
    }

    /** This request, judged by the oracle (once: judging costs a YAML parse). */
    FuzzRequest judged() {
        return new FuzzRequest(kind, line, ending, chunks, expectedPrefix, RequestOracle.judge(line));
    }

    @Override
    public String toString() {
        String text = new String(line, 0, Math.min(line.length, 300), StandardCharsets.UTF_8);
        return kind + "/" + ending + "/" + chunks + " (" + line.length + " bytes) " + text
                + (line.length > 300 ? "..." : "");
    }
}
