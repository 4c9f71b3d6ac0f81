package dev.einhorn.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class SignalsTest {
    @Test
    void acceptsRubyStyleSpellings() {
        for (String s : new String[] {"usr2", "SIGUSR2", "Usr2", "sigusr2", "12", " USR2 "}) {
            assertEquals(Optional.of(12), Signals.number(s), s);
        }
        assertEquals(Optional.of(17), Signals.number("CLD"));
        assertEquals(Optional.of(17), Signals.number("SIGCHLD"));
        assertEquals(Optional.of(29), Signals.number("POLL"));
        assertEquals(Optional.of(29), Signals.number("IO"));
        assertEquals(Optional.of(6), Signals.number("IOT"));
        assertEquals(Optional.of(0), Signals.number("EXIT"));
        assertEquals(Optional.of(30), Signals.number("PWR"));
        assertEquals(Optional.of(31), Signals.number("SYS"));
        assertEquals(Optional.of(1), Signals.number("hup"));
    }

    @Test
    void rejectsUnknown() {
        for (String s : new String[] {"", "SIG", "USR3", "32", "-1", "1x", "99999999999"}) {
            assertEquals(Optional.empty(), Signals.number(s), s);
        }
        assertEquals(Optional.empty(), Signals.number(null));
    }

    @Test
    void canonicalNames() {
        assertEquals("USR2", Signals.name(12));
        assertEquals("CHLD", Signals.name(17));
        assertEquals("ABRT", Signals.name(6));
        assertEquals("IO", Signals.name(29));
        assertEquals("KILL", Signals.name(9));
        assertEquals("40", Signals.name(40));
        for (int i = 0; i < 32; i++) {
            assertEquals(Optional.of(i), Signals.number(Signals.name(i)));
        }
    }
}
