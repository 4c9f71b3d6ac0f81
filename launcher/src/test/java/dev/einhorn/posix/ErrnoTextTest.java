package dev.einhorn.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErrnoTextTest {

    @Test
    void namesAreLinuxsAsBefore() {
        assertEquals("EPERM", ErrnoText.name(1));
        assertEquals("ENOENT", ErrnoText.name(2));
        assertEquals("EBADF", ErrnoText.name(9));
        assertEquals("ECHILD", ErrnoText.name(10));
        assertEquals("EAGAIN", ErrnoText.name(11));
        assertEquals("EACCES", ErrnoText.name(13));
        assertEquals("EINVAL", ErrnoText.name(22));
        assertEquals("EDEADLOCK", ErrnoText.name(35));
        assertEquals("ENOTSOCK", ErrnoText.name(88));
        assertEquals("ENOTSUP", ErrnoText.name(95));
        assertEquals("ECONNREFUSED", ErrnoText.name(111));
        assertEquals("EHWPOISON", ErrnoText.name(133));
    }

    @Test
    void aNumberWithoutANameIsSaidAsANumber() {
        assertEquals("errno 0", ErrnoText.name(0));
        assertEquals("errno 41", ErrnoText.name(41));
        assertEquals("errno 134", ErrnoText.name(134));
        assertEquals("errno -1", ErrnoText.name(-1));
    }

    @Test
    void anExceptionSaysTheCallStrerrorAndTheName() {
        PosixException e = ErrnoText.exception("open(/x)", 13);
        assertEquals(13, e.errno());
        assertEquals("open(/x): Permission denied (EACCES)", e.getMessage());
        assertEquals("No such file or directory (ENOENT)", ErrnoText.describe(2));
        assertEquals("Unknown error 999 (errno 999)", ErrnoText.describe(999));
    }
}
