package dev.einhorn.posix;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.Type;

/**
 * One libc function called through jffi, the native layer jnr-ffi and jnr-posix run on, without their upper
 * layers (docs/FOOTPRINT.md, fourth round). Its C signature is a jffi {@link CallContext} that saves errno right
 * after the call ({@link #lastErrno()}); arguments and results travel as 64-bit words: an {@code int} argument is
 * passed as its sign-extended long (the callee reads the low 32 bits), a pointer as its address, and a result
 * declared {@code int} is read with {@link #invokeInt}. The symbol is looked up on first use, as jnr-ffi did, so a
 * libc without it fails the one call that needs it, not the master's start. Thread-safe.
 */
final class NativeFunction {
    private static final String LIBC = "libc.so.6";
    private static final Invoker INVOKER = Invoker.getInstance();

    /** Holder: opened with the first function that is called. */
    private static final class Libc {
        static final Library LIBRARY = open();

        private static Library open() {
            Library library = Library.openLibrary(LIBC, Library.LAZY | Library.LOCAL);
            if (library == null) {
                throw new UnsatisfiedLinkError("cannot open " + LIBC + ": " + Library.getLastError());
            }
            return library;
        }
    }

    private final String name;
    private final CallContext context;
    private volatile long address;

    private NativeFunction(String name, Type returns, Type... parameters) {
        this.name = name;
        this.context = CallContext.getCallContext(returns, parameters, CallingConvention.DEFAULT, true);
    }

    /** A function of libc with this C signature ({@link Type#SINT} for int, {@link Type#POINTER} for any pointer...). */
    static NativeFunction libc(String name, Type returns, Type... parameters) {
        return new NativeFunction(name, returns, parameters);
    }

    /** Calls it; at most 6 arguments. */
    long invoke(long... args) {
        long fn = address();
        return switch (args.length) {
            case 0 -> INVOKER.invokeN0(context, fn);
            case 1 -> INVOKER.invokeN1(context, fn, args[0]);
            case 2 -> INVOKER.invokeN2(context, fn, args[0], args[1]);
            case 3 -> INVOKER.invokeN3(context, fn, args[0], args[1], args[2]);
            case 4 -> INVOKER.invokeN4(context, fn, args[0], args[1], args[2], args[3]);
            case 5 -> INVOKER.invokeN5(context, fn, args[0], args[1], args[2], args[3], args[4]);
            case 6 -> INVOKER.invokeN6(context, fn, args[0], args[1], args[2], args[3], args[4], args[5]);
            default -> throw new IllegalArgumentException(name + ": " + args.length + " arguments, at most 6");
        };
    }

    /** Calls a function whose C result is an int: only the low 32 bits of the returned word are its value. */
    int invokeInt(long... args) {
        return (int) invoke(args);
    }

    /** The errno that the last call of any {@code NativeFunction} on this thread left (saved by jffi after it). */
    static int lastErrno() {
        return LastError.getInstance().get();
    }

    private long address() {
        long fn = address;
        if (fn == 0) {
            fn = Libc.LIBRARY.getSymbolAddress(name);
            if (fn == 0) {
                throw new UnsatisfiedLinkError(name + " is not in " + LIBC + ": " + Library.getLastError());
            }
            address = fn;
        }
        return fn;
    }

    @Override
    public String toString() {
        return name;
    }
}
