package dev.einhorn.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.einhorn.protocol.Yaml;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The {@code state} reply ({@code YAML.dump({:state => ...})}) for a pool of fake workers: Einhorn's keys as Ruby
 * symbols, children keyed by integer pid, so Ruby tools and einhornsh read it as they read Einhorn's
 * (docs/COMPATIBILITY.md#state-dump-keys).
 */
class StateDumpTest {
    /** Einhorn's default_state keys this master emits (docs/COMPATIBILITY.md#state-dump-keys). */
    private static final Set<String> EINHORN_KEYS = Set.of("children", "config", "versions", "version", "sockets",
            "orig_cmd", "bind", "bind_fds", "bound_ports", "cmd", "respawn", "upgrading", "smooth_upgrade",
            "reloading_for_upgrade", "path", "cmd_name", "verbosity", "generation", "ack_mode",
            "kill_children_on_exit", "command_socket_as_fd", "socket_path", "pidfile", "lockfile",
            "consecutive_deaths_before_ack", "drop_environment_variables", "signal_timeout", "preloaded");

    private static ReportedMaster twoWorkers() {
        return new ReportedMaster("-n", "2", "-m", "manual", "-c", "shop", "-b", "127.0.0.1:8080,r", "--", "python3",
                "worker.py").started();
    }

    /** The reply as einhornsh reads it: symbol keys come back as ":name". */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> state(ReportedMaster m) throws Exception {
        Map<Object, Object> root = (Map<Object, Object>) Yaml.parseReply(StateDump.yaml(m));
        assertEquals(Set.of(":state"), root.keySet());
        return (Map<String, Object>) root.get(":state");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> child(Map<String, Object> state, int pid) {
        return (Map<String, Object>) ((Map<Object, Object>) state.get(":children")).get(pid);
    }

    @Test
    void everyEinhornKeyIsThereAsARubySymbol() throws Exception {
        Map<String, Object> s = state(twoWorkers());
        for (String k : EINHORN_KEYS) assertTrue(s.containsKey(":" + k), "missing :" + k + " in " + s.keySet());
        String raw = StateDump.yaml(twoWorkers());
        assertTrue(raw.startsWith("---\n:state:\n  :children:\n"), raw);
    }

    @Test
    void childrenAreKeyedByIntegerPidWithEinhornsChildKeys() throws Exception {
        ReportedMaster m = twoWorkers();
        m.pool.manualAck(100);
        Map<String, Object> s = state(m);
        assertEquals(Set.of(100, 101), ((Map<?, ?>) s.get(":children")).keySet());
        Map<String, Object> acked = child(s, 100);
        assertEquals(":worker", acked.get(":type"));
        assertEquals(0, acked.get(":version"));
        assertEquals(true, acked.get(":acked"));
        assertEquals(List.of(), acked.get(":signaled"), "a list einhorn's tests take .length of");
        assertEquals(0, acked.get(":index"));
        assertTrue(acked.containsKey(":last_signaled_at"));
        assertEquals(false, child(s, 101).get(":acked"));
        assertEquals(1, child(s, 101).get(":index"));
        assertTrue(StateDump.yaml(m).contains("      :type: :worker\n"), "the type is a symbol, not a string");
        assertTrue(StateDump.yaml(m).contains("      :spinup_time: 1970-01-01 00:16:40.000000000 Z\n"),
                "Ruby's time format");
    }

    @Test
    void aPingIsShownOnlyOnThePingedWorkerAndSurvivesYamlSpecialCharacters() throws Exception {
        ReportedMaster m = twoWorkers();
        String id = "x: y\n- [z] # not a comment";
        m.pool.ping(100, id);
        Map<String, Object> s = state(m);
        assertEquals(id, child(s, 100).get(":pinged_request_id"));
        assertTrue(child(s, 100).get(":pinged_at") != null);
        assertFalse(child(s, 101).containsKey(":pinged_at"));
    }

    @Test
    void aStoppedWorkerListsTheSignalsSentToIt() throws Exception {
        ReportedMaster m = new ReportedMaster("-n", "3", "-m", "manual", "--", "./w").started();
        m.pool.manualAck(100);
        m.pool.manualAck(101);
        m.pool.setNumber(2);
        m.pool.tick();
        Map<String, Object> s = state(m);
        assertEquals(List.of("USR2"), child(s, 102).get(":signaled"), "the unacked surplus worker goes first");
        assertEquals(List.of(), child(s, 100).get(":signaled"));
        assertEquals(2, ((Map<?, ?>) s.get(":config")).get(":number"));
    }

    @Test
    void theListenersAreThreeParallelLists() throws Exception {
        Map<String, Object> s = state(twoWorkers());
        assertEquals(List.of(List.of("127.0.0.1", 8080, List.of("r")), List.of("/tmp/app.sock", 0, List.of())),
                s.get(":bind"));
        assertEquals(List.of(5, 6), s.get(":bind_fds"));
        assertEquals(List.of(8080, 0), s.get(":bound_ports"));
    }

    @Test
    void theCommandAsTypedAndAsRunAreBothShown() throws Exception {
        Map<String, Object> s = state(twoWorkers());
        assertEquals(List.of("python3", "worker.py"), s.get(":orig_cmd"));
        assertEquals(List.of("/usr/bin/python3", "worker.py"), s.get(":cmd"));
        assertEquals("shop", s.get(":cmd_name"));
        assertEquals(2, s.get(":generation"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theAckModeIsASymbolWithATimeoutOnlyForTimers() throws Exception {
        assertEquals(Map.of(":type", ":manual"), state(twoWorkers()).get(":ack_mode"));
        Map<String, Object> timer = (Map<String, Object>) state(new ReportedMaster("-m", "2.5", "--", "./w")
                .started()).get(":ack_mode");
        assertEquals(":timer", timer.get(":type"));
        assertEquals(2.5, ((Number) timer.get(":timeout")).doubleValue());
    }

    @Test
    void aPreloadedWorkerShowsItsArchiveAndMemoryOthersDoNot() throws Exception {
        ReportedMaster m = twoWorkers();
        m.preloaded(101, Path.of("/cache/app-1-k.aot"), 30000, 20000);
        Map<String, Object> s = state(m);
        Map<String, Object> w = child(s, 101);
        assertEquals("/cache/app-1-k.aot", w.get(":archive"));
        assertEquals(true, w.get(":archive_mapped"));
        assertEquals(30000, w.get(":pss_kb"));
        assertEquals(20000, w.get(":shared_clean_kb"));
        assertFalse(child(s, 100).containsKey(":archive"));
        assertEquals(true, s.get(":preloaded"));
    }

    @Test
    void standbysAreNotCountedAsChildren() throws Exception {
        ReportedMaster m = twoWorkers();
        m.host.standbysPossible = true;
        m.pool.setStandbyTarget(1);
        m.pool.tick();
        Map<String, Object> s = state(m);
        assertEquals(Set.of(100, 101), ((Map<?, ?>) s.get(":children")).keySet());
        Map<?, ?> standbys = (Map<?, ?>) s.get(":standbys");
        assertEquals(Set.of(102), standbys.keySet());
        assertEquals(":standby", ((Map<?, ?>) standbys.get(102)).get(":type"));
        assertEquals("warming", ((Map<?, ?>) standbys.get(102)).get(":state"));
        m.pool.standbyReady(102);
        assertEquals("standby", ((Map<?, ?>) ((Map<?, ?>) state(m).get(":standbys")).get(102)).get(":state"));
        assertEquals(1, state(m).get(":standby_target"));
    }

    @Test
    void withoutPreloadNothingIsClaimed() throws Exception {
        Map<String, Object> s = state(twoWorkers());
        assertEquals(false, s.get(":preloaded"));
        assertNull(s.get(":path"));
    }
}
