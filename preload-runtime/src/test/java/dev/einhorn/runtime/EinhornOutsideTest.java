package dev.einhorn.runtime;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The test JVM itself: not started by einhorn. */
class EinhornOutsideTest {
    @BeforeAll
    static void notUnderEinhorn() {
        assumeTrue(System.getenv("EINHORN_MASTER_PID") == null, "the build itself runs under einhorn");
    }

    @Test
    void isNotAWorker() {
        assertFalse(Einhorn.isWorker());
        assertTrue(Einhorn.childIndex().isEmpty());
        assertTrue(Einhorn.masterPid().isEmpty());
        assertEquals(0, Einhorn.socketCount());
        assertEquals("USR2", Einhorn.gracefulSignal());
    }

    @Test
    void ackThrowsWithAClearMessage() {
        EinhornException e = assertThrows(EinhornException.class, Einhorn::ack);
        assertEquals("No EINHORN_MASTER_PID environment variable set. Are you running your process under Einhorn?",
                e.getMessage());
        assertThrows(EinhornException.class, () -> Einhorn.ping("1"));
    }

    @Test
    void ackIfWorkerIsANoOp() {
        assertFalse(Einhorn.ackIfWorker());
    }

    @Test
    void noSocketsOutsideEinhorn() {
        EinhornException e = assertThrows(EinhornException.class, () -> Einhorn.serverSocket(0));
        assertTrue(e.getMessage().startsWith("Only 0 FDs available, but FD 0 was requested"), e.getMessage());
    }

    @Test
    void framingEscapesPercentAndNewline() {
        String json = "{\"request_id\":" + Einhorn.jsonString("a%b\nc\"\\\u0001") + "}";
        assertEquals("{\"request_id\":\"a%25b\\nc\\\"\\\\\\u0001\"}\n",
                new String(Einhorn.frame(json), StandardCharsets.UTF_8));
        assertEquals("x%0Ay%25\n", new String(Einhorn.frame("x\ny%"), StandardCharsets.UTF_8));
    }
}
