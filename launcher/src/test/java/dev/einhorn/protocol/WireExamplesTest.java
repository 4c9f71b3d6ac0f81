package dev.einhorn.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every wire line of docs/COMPATIBILITY.md#observed-wire-examples, byte for byte. */
class WireExamplesTest {
    private static final String DESCRIPTIONS = String.join("\n",
            "config: Merge in a new set of config options. (Note: this will likely be subsumed by config file reloading at some point.)",
            "dec: Decrement the number of Einhorn child processes",
            "die: Send SIGNAL (default: SIGUSR2) to all workers, stop spawning new ones, and exit once all workers die (args: [SIGNAL])",
            "help: Print out available commands",
            "inc: Increment the number of Einhorn child processes",
            "louder: Increase verbosity",
            "quieter: Decrease verbosity",
            "reload: Reload Einhorn",
            "set_workers: Set the number of Einhorn child processes",
            "signal: Send one or more signals to all workers (args: SIG1 [SIG2 ...])",
            "state: Get a dump of Einhorn's current state",
            "upgrade: Upgrade all Einhorn workers smoothly. This causes Einhorn to reload its own code as well.",
            "upgrade_fleet: Upgrade all Einhorn workers a fleet at a time. This causes Einhorn to reload its own code as well.");

    @Test
    void observedSmoothUpgradeStream() {
        List<String> messages = List.of(
                "Upgrading smoothly, as commanded",
                "Starting smooth upgrade from version 0...",
                "===> Launched 4701 (index: 2)",
                "===> Exited state passing process 4699",
                "Smooth upgrade: killing off 1 old workers.",
                "Sending USR2 to [4656]",
                "===> Exited worker 4656",
                "===> Launched 4702 (index: 0)",
                "Upgraded successfully to version 1 (Einhorn 0.8.2).");
        List<String> expected = List.of(
                "---%0Amessage: Upgrading smoothly, as commanded%0Arequest_id: 3%0Await: true%0A\n",
                "---%0Amessage: Starting smooth upgrade from version 0...%0Arequest_id: 3%0Await: true%0A\n",
                "---%0Amessage: \"===> Launched 4701 (index: 2)\"%0Arequest_id: 3%0Await: true%0A\n",
                "---%0Amessage: \"===> Exited state passing process 4699\"%0Arequest_id: 3%0Await: true%0A\n",
                "---%0Amessage: 'Smooth upgrade: killing off 1 old workers.'%0Arequest_id: 3%0Await: true%0A\n",
                "---%0Amessage: Sending USR2 to [4656]%0Arequest_id: 3%0Await: true%0A\n",
                "---%0Amessage: \"===> Exited worker 4656\"%0Arequest_id: 3%0Await: true%0A\n",
                "---%0Amessage: \"===> Launched 4702 (index: 0)\"%0Arequest_id: 3%0Await: true%0A\n",
                "---%0Amessage: Upgraded successfully to version 1 (Einhorn 0.8.2).%0Arequest_id: 3%0Await: true%0A\n");
        for (int i = 0; i < messages.size(); i++) {
            assertEquals(expected.get(i), Replies.encode(messages.get(i), 3, false));
        }
        assertEquals("---%0Amessage: Upgrade done%0Arequest_id: 3%0A\n", Replies.encode("Upgrade done", 3, true));
    }

    @Test
    void oldStyleReplyHasOnlyTheMessage() {
        assertEquals("---%0Amessage: Upgrading fleet, as commanded%0A\n",
                Replies.encode("Upgrading fleet, as commanded", null, false));
    }

    @Test
    void stringRequestIdIsQuotedLikePsych() {
        assertEquals("---%0Amessage: Upgrading fleet, as commanded%0Arequest_id: z%0Await: true%0A\n",
                Replies.encode("Upgrading fleet, as commanded", "z", false));
        assertEquals("---%0Amessage: x%0Arequest_id: '3'%0A\n", Replies.encode("x", "3", true));
    }

    @Test
    void ehloIsALiteralBlock() {
        String message = "Welcome, bob! You are speaking to Einhorn Master Process 4303.\nThis is Einhorn 0.8.2.\n";
        assertEquals("---%0Amessage: |%0A  Welcome, bob! You are speaking to Einhorn Master Process 4303.%0A"
                + "  This is Einhorn 0.8.2.%0Arequest_id: 1%0A\n", Replies.encode(message, 1, true));
    }

    @Test
    void ehloEscapesPercent() {
        String message = "Welcome, x y%z+q! You are speaking to Einhorn Master Process 4303.\nThis is Einhorn 0.8.2.\n";
        assertEquals("---%0Amessage: |%0A  Welcome, x y%25z+q! You are speaking to Einhorn Master Process 4303.%0A"
                + "  This is Einhorn 0.8.2.%0A\n", Replies.encode(message, null, true));
    }

    @Test
    void helpKeepsBlankLinesUnindented() {
        String message = "You are speaking to the Einhorn command socket. You can run the following commands:\n\n"
                + DESCRIPTIONS + "\n";
        StringBuilder wire = new StringBuilder("---%0Amessage: |%0A  You are speaking to the Einhorn command socket."
                + " You can run the following commands:%0A%0A");
        for (String line : DESCRIPTIONS.split("\n")) wire.append("  ").append(line).append("%0A");
        assertEquals(wire.append("\n").toString(), Replies.encode(message, null, true));
    }

    @Test
    void genericFailures() {
        assertEquals("---%0Amessage: Could not parse command%0A\n", Replies.encode("Could not parse command", null, true));
        assertEquals("---%0Amessage: \"\\n\"%0Arequest_id: 16%0A\n", Replies.encode("\n", 16, true));
        assertEquals("---%0Amessage: 'Invalid count: ''0''. Must be an integer in [1,1000).'%0Arequest_id: 11%0A\n",
                Replies.encode("Invalid count: '0'. Must be an integer in [1,1000).", 11, true));
        assertEquals("---%0Amessage: ''%0Arequest_id: 1%0A\n", Replies.encode("", 1, true));
        assertEquals("---%0Amessage: 'Einhorn is going down! '%0A\n", Replies.encode("Einhorn is going down! ", null, true));
    }

    @Test
    void einhornshRequests() {
        assertEquals("---%0Aid: 1%0Acommand: inc%0Aargs: []%0A\n",
                Replies.encodeRequest(request("id", 1, "command", "inc", "args", List.of())));
        assertEquals("---%0Aid: 2%0Acommand: set_workers%0Aargs:%0A- '3'%0A- a b%0A\n",
                Replies.encodeRequest(request("id", 2, "command", "set_workers", "args", List.of("3", "a b"))));
        assertEquals("---%0Aid: 3%0Acommand: upgrade%0Aargs: []%0A\n",
                Replies.encodeRequest(request("id", 3, "command", "upgrade", "args", List.of())));
        assertEquals("---%0Acommand: ehlo%0Auser: gdb%0A\n", Replies.encodeRequest(request("command", "ehlo", "user", "gdb")));
        assertEquals("---%0Acommand: ehlo%0Auser:%0A\n", Replies.encodeRequest(request("command", "ehlo", "user", null)));
    }

    @Test
    void workerLibraryRequests() {
        assertEquals("---%0Acommand: worker:ack%0Apid: 5382%0A\n",
                Replies.encodeRequest(request("command", "worker:ack", "pid", 5382)));
        assertEquals("---%0Acommand: worker:ping%0Apid: 5382%0Arequest_id: req-1%0A\n",
                Replies.encodeRequest(request("command", "worker:ping", "pid", 5382, "request_id", "req-1")));
    }

    static Map<String, Object> request(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Object> l = new ArrayList<>(Arrays.asList(kv));
        for (int i = 0; i < l.size(); i += 2) m.put((String) l.get(i), l.get(i + 1));
        return m;
    }
}
