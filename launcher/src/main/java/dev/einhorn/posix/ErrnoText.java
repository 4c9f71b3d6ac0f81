package dev.einhorn.posix;

import com.kenai.jffi.Type;

/**
 * What a failed call's errno says: libc's {@code strerror} text and the symbolic name, as in
 * {@code "No such file or directory (ENOENT)"}; the form every {@link PosixException} of this package carries.
 */
final class ErrnoText {
    private static final NativeFunction STRERROR = NativeFunction.libc("strerror", Type.POINTER, Type.SINT);

    /**
     * Linux's errno names by number (x86_64 and aarch64 share them), as jnr-constants named them before this
     * package called libc through jffi directly: where Linux has two names for a number, this is the one it used
     * (35 EDEADLOCK, 95 ENOTSUP). 41 and 58 are unused by Linux.
     */
    private static final String[] NAMES = {
        null, "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF", "ECHILD",
        "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR",
        "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS",
        "EMLINK", "EPIPE", "EDOM", "ERANGE", "EDEADLOCK", "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY", "ELOOP",
        null, "ENOMSG", "EIDRM", "ECHRNG", "EL2NSYNC", "EL3HLT", "EL3RST", "ELNRNG", "EUNATCH", "ENOCSI",
        "EL2HLT", "EBADE", "EBADR", "EXFULL", "ENOANO", "EBADRQC", "EBADSLT", null, "EBFONT", "ENOSTR",
        "ENODATA", "ETIME", "ENOSR", "ENONET", "ENOPKG", "EREMOTE", "ENOLINK", "EADV", "ESRMNT", "ECOMM",
        "EPROTO", "EMULTIHOP", "EDOTDOT", "EBADMSG", "EOVERFLOW", "ENOTUNIQ", "EBADFD", "EREMCHG", "ELIBACC", "ELIBBAD",
        "ELIBSCN", "ELIBMAX", "ELIBEXEC", "EILSEQ", "ERESTART", "ESTRPIPE", "EUSERS", "ENOTSOCK", "EDESTADDRREQ",
        "EMSGSIZE", "EPROTOTYPE", "ENOPROTOOPT", "EPROTONOSUPPORT", "ESOCKTNOSUPPORT", "ENOTSUP", "EPFNOSUPPORT",
        "EAFNOSUPPORT", "EADDRINUSE", "EADDRNOTAVAIL", "ENETDOWN", "ENETUNREACH", "ENETRESET", "ECONNABORTED",
        "ECONNRESET", "ENOBUFS", "EISCONN", "ENOTCONN", "ESHUTDOWN", "ETOOMANYREFS", "ETIMEDOUT", "ECONNREFUSED",
        "EHOSTDOWN", "EHOSTUNREACH", "EALREADY", "EINPROGRESS", "ESTALE", "EUCLEAN", "ENOTNAM", "ENAVAIL", "EISNAM",
        "EREMOTEIO", "EDQUOT", "ENOMEDIUM", "EMEDIUMTYPE", "ECANCELED", "ENOKEY", "EKEYEXPIRED", "EKEYREVOKED",
        "EKEYREJECTED", "EOWNERDEAD", "ENOTRECOVERABLE", "ERFKILL", "EHWPOISON",
    };

    private ErrnoText() {}

    /** The symbolic name ({@code "ENOENT"}), or {@code "errno N"} for a number without one. */
    static String name(int errno) {
        return errno > 0 && errno < NAMES.length && NAMES[errno] != null ? NAMES[errno] : "errno " + errno;
    }

    /** {@code strerror(errno)} and the name: {@code "No such file or directory (ENOENT)"}. */
    static String describe(int errno) {
        long text = STRERROR.invoke(errno);
        String message = text == 0 ? "Unknown error " + errno
                : new String(NativeMemory.cStringAt(text), NativeMemory.CHARSET);
        return message + " (" + name(errno) + ")";
    }

    /** The exception for {@code call} failing with {@code errno}. */
    static PosixException exception(String call, int errno) {
        return new PosixException(call, errno, describe(errno));
    }
}
