package dev.einhorn.it;

import dev.einhorn.it.FuzzExchange.Result;
import dev.einhorn.it.FuzzRequest.Kind;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Counts for the fuzz test's summary line: requests by kind, and what the master did with them. */
final class FuzzStats {
    final Map<Kind, Integer> byKind = new EnumMap<>(Kind.class);
    final Map<Result, Integer> byResult = new EnumMap<>(Result.class);
    /** Replies that refuse the request (parse errors, unknown commands, bad arguments), by their first words. */
    final Map<String, Integer> refusals = new TreeMap<>();
    int requests;
    int batches;
    int skippedBatches;
    /** Requests closed without a reply because their id cannot be written back (a known defect). */
    int unechoableIds;
    long sendingNanos;
    long checkingNanos;

    synchronized void record(FuzzRequest request, FuzzExchange.Outcome outcome) {
        requests++;
        byKind.merge(request.kind(), 1, Integer::sum);
        byResult.merge(outcome.result(), 1, Integer::sum);
        for (String m : outcome.messages()) {
            for (String refusal : List.of("Could not parse", "Unrecognized command", "No \"command\"", "Invalid",
                    "Argument is", "Args must", "No args", "Error while processing", "Unknown config", "Config value",
                    "Must pass")) {
                if (m.startsWith(refusal)) refusals.merge(refusal, 1, Integer::sum);
            }
        }
    }

    int count(Result r) {
        return byResult.getOrDefault(r, 0);
    }

    synchronized String summary() {
        return requests + " requests (json " + byKind.getOrDefault(Kind.JSON, 0) + ", yaml "
                + byKind.getOrDefault(Kind.YAML, 0) + ", hostile " + byKind.getOrDefault(Kind.HOSTILE, 0) + ", binary "
                + byKind.getOrDefault(Kind.BINARY, 0) + ") in " + batches + " batches"
                + (skippedBatches > 0 ? " (" + skippedBatches + " skipped: time budget)" : "")
                + "; " + count(Result.REPLIED) + " answered (" + refusals.values().stream().mapToInt(i -> i).sum()
                + " refusals " + refusals + "), " + count(Result.CLOSED) + " closed by the master (" + unechoableIds + " of them for an id the reply cannot echo), "
                + count(Result.DISCONNECTED) + " client disconnects, " + count(Result.TIMED_OUT) + " timeouts";
    }
}
