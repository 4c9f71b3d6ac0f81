package dev.einhorn.posix;

import com.kenai.jffi.MemoryIO;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Native memory for one call or a few: C strings, NULL-terminated arrays of them, zeroed opaque structs, byte
 * buffers. Every block comes from malloc and is freed by {@link #close()}, so use it in try-with-resources and
 * nothing outlives the call. Not thread-safe (one per call).
 */
final class NativeMemory implements AutoCloseable {
    private static final MemoryIO IO = MemoryIO.getInstance();
    /**
     * The charset the JDK itself uses for file names, arguments and the environment (it decoded this process's own
     * argv with it), so a string goes back to C as the bytes it came from.
     */
    static final Charset CHARSET = platformCharset();
    static final int POINTER_SIZE = 8; // LP64: x86_64, aarch64

    private long[] blocks = new long[8];
    private int count;

    /** {@code size} bytes, all zero. */
    long zeroed(long size) {
        long address = IO.allocateMemory(Math.max(size, 1), true);
        if (address == 0) {
            throw new OutOfMemoryError("malloc(" + size + ") failed");
        }
        if (count == blocks.length) {
            blocks = Arrays.copyOf(blocks, count * 2);
        }
        blocks[count++] = address;
        return address;
    }

    /** {@code size} bytes, each {@code value}. */
    long filled(long size, byte value) {
        long address = zeroed(size);
        IO.setMemory(address, size, value);
        return address;
    }

    /** A copy of {@code bytes} (at least one byte is allocated). */
    long copyOf(byte[] bytes, int offset, int length) {
        long address = zeroed(length);
        if (length > 0) IO.putByteArray(address, bytes, offset, length);
        return address;
    }

    /** A NUL-terminated copy of {@code s} in {@link #CHARSET}. */
    long cString(String s) {
        byte[] bytes = s.getBytes(CHARSET);
        long address = zeroed(bytes.length + 1L); // zeroed: the last byte is the NUL
        if (bytes.length > 0) IO.putByteArray(address, bytes, 0, bytes.length);
        return address;
    }

    /** {@code char *[]}: a pointer to each string as a C string, then a NULL pointer (argv, envp). */
    long cStrings(List<String> strings) {
        long array = zeroed((long) POINTER_SIZE * (strings.size() + 1));
        for (int i = 0; i < strings.size(); i++) {
            IO.putAddress(array + (long) POINTER_SIZE * i, cString(strings.get(i)));
        }
        return array;
    }

    static int getInt(long address) {
        return IO.getInt(address);
    }

    static void putInt(long address, int value) {
        IO.putInt(address, value);
    }

    static void putShort(long address, short value) {
        IO.putShort(address, value);
    }

    static void putAddress(long address, long value) {
        IO.putAddress(address, value);
    }

    static long getAddress(long address) {
        return IO.getAddress(address);
    }

    static void putBytes(long address, byte[] bytes) {
        if (bytes.length > 0) IO.putByteArray(address, bytes, 0, bytes.length);
    }

    static void getBytes(long address, byte[] into, int offset, int length) {
        IO.getByteArray(address, into, offset, length);
    }

    /** The bytes of the NUL-terminated string at {@code address} (without the NUL). */
    static byte[] cStringAt(long address) {
        return IO.getZeroTerminatedByteArray(address);
    }

    /** Frees every block; the addresses it gave out are invalid afterwards. */
    @Override
    public void close() {
        for (int i = count - 1; i >= 0; i--) {
            IO.freeMemory(blocks[i]);
        }
        count = 0;
    }

    private static Charset platformCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException unknown) {
            return StandardCharsets.UTF_8;
        }
    }
}
