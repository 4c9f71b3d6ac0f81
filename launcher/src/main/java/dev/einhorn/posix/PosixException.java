package dev.einhorn.posix;

/** A failed syscall: the call, the errno and its text. */
public class PosixException extends Exception {
    private final int errno;

    public PosixException(String call, int errno, String detail) {
        super(call + ": " + detail);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
