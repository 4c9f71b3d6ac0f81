package dev.einhorn.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a long-lived process must not leak, read from /proc: its open file descriptors and its resident set.
 * The fuzz and chaos tests compare these before and after, with a bound, never with a timing.
 */
record ProcessVitals(int fds, long rssKb) {
    static ProcessVitals of(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            int fdCount = (int) fds.count();
            long rss = -1;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
            return new ProcessVitals(fdCount, rss);
        } catch (IOException e) {
            throw new AssertionError("process " + pid + " is gone", e);
        }
    }

    long rssMb() {
        return rssKb / 1024;
    }

    @Override
    public String toString() {
        return fds + " fds, RSS " + rssMb() + " MB";
    }
}
