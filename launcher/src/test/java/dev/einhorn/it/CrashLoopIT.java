package dev.einhorn.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker that dies at once is restarted with growing intervals, and the master sleeps in between. */
class CrashLoopIT {
    @TempDir
    Path dir;

    @Test
    void respawnsBackOffAndTheMasterStaysIdleBetweenThem() throws Exception {
        try (EinhornUnderTest einhorn = EinhornUnderTest.start(dir, "-v", "-m", "manual", "-s", "0.2", "sh", "-c", "exit 3")) {
            einhorn.awaitTrue("five launches", () -> count(einhorn.logText(), "===> Launched") >= 5);
            String log = einhorn.logText();
            assertTrue(log.contains("(exit status 3)"), "the exit status is logged");
            assertTrue(log.contains("there have been 3 consecutive unacked worker deaths"), log);
            List<String> intervals = new ArrayList<>();
            Matcher m = Pattern.compile("spinup_interval is ([0-9.]+)s").matcher(log);
            while (m.find()) intervals.add(m.group(1));
            assertTrue(intervals.size() >= 3, log);
            for (int i = 1; i < intervals.size(); i++) {
                assertTrue(Double.parseDouble(intervals.get(i)) > Double.parseDouble(intervals.get(i - 1)),
                        "intervals grow: " + intervals);
            }
            // Between two launches the loop wakes for the exit (CHLD) and for the back-off timer, not in a busy loop.
            String between = log.substring(log.lastIndexOf("===> Launched", log.lastIndexOf("===> Launched") - 1),
                    log.lastIndexOf("===> Launched"));
            assertTrue(count(between, "Woke up after") <= 4, "wake-ups between two launches:\n" + between);
        }
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }
}
