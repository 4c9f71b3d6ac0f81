package dev.einhorn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.einhorn.config.BindSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class BindSpecUnixTest {
    @Test
    void absoluteAndRelativePathsAreUnixSockets() {
        BindSpec b = BindSpecParser.parse("/run/app/app.sock,mode=0660,N");
        assertTrue(b.isUnix());
        assertEquals("/run/app/app.sock", b.unixPath());
        assertEquals(0660, b.unixMode());
        assertTrue(b.nonBlock());
        assertEquals(List.of("mode=0660", "n"), b.flags());
        assertEquals("/run/app/app.sock", b.address());
        BindSpec rel = BindSpecParser.parse("./x.sock");
        assertEquals("./x.sock", rel.unixPath());
        assertNull(rel.unixMode());
        assertEquals(0640, BindSpecParser.parse("/a.sock,mode=640").unixMode());
    }

    @Test
    void badUnixSpecsSayWhy() {
        assertTrue(message("/a.sock,mode=999").contains("the mode must be octal permission bits, e.g. mode=0660"));
        assertTrue(message("/a.sock,mode=1777").contains("at most mode=0777"));
        assertTrue(message("/a.sock,mode=").contains("octal"));
        assertTrue(message("/a.sock,r").contains("unknown flag for a UNIX socket \"r\" (valid: n, o_nonblock, mode=OCTAL"), message("/a.sock,r"));
        assertTrue(message("/a.sock,so_reuseport").contains("unknown flag"));
        assertTrue(message("/tmp/").contains("must name a file"));
        assertTrue(message("/" + "x".repeat(120)).contains("at most 107 bytes"));
    }

    @Test
    void namedSystemdSockets() {
        BindSpec b = BindSpecParser.parse("name:web,n");
        assertTrue(b.isNamed());
        assertEquals("web", b.fdName());
        assertTrue(b.nonBlock());
        assertEquals("name:web", b.address());
        assertTrue(message("name:web,r").contains("unknown flag for a systemd socket"));
        BindSpec host = BindSpecParser.parse("name:80");
        assertFalse(host.isNamed(), "a digits-only name is a port");
        assertEquals("name", host.host());
        assertEquals(80, host.port());
    }

    @Test
    void inetSpecsAreUnchanged() {
        BindSpec b = BindSpecParser.parse("127.0.0.1:0,r");
        assertFalse(b.isUnix());
        assertFalse(b.isNamed());
        assertEquals("127.0.0.1:0", b.address());
    }

    private static String message(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> BindSpecParser.parse(spec)).getMessage();
    }
}
