package dev.einhorn.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {

    private static String cStringAt(long address) {
        return new String(NativeMemory.cStringAt(address), NativeMemory.CHARSET);
    }

    @Test
    void aStringArrayIsOnePointerPerStringThenNull() {
        try (NativeMemory memory = new NativeMemory()) {
            List<String> argv = List.of("sh", "", "a b", "K=v=w");
            long array = memory.cStrings(argv);
            for (int i = 0; i < argv.size(); i++) {
                assertEquals(argv.get(i), cStringAt(NativeMemory.getAddress(array + 8L * i)));
            }
            assertEquals(0, NativeMemory.getAddress(array + 8L * argv.size()));
        }
    }

    @Test
    void anEmptyStringArrayIsOnlyTheNull() {
        try (NativeMemory memory = new NativeMemory()) {
            assertEquals(0, NativeMemory.getAddress(memory.cStrings(List.of())));
        }
    }

    @Test
    void aCStringIsItsBytesThenNul() {
        try (NativeMemory memory = new NativeMemory()) {
            String s = "\u00e9t\u00e9";
            long address = memory.cString(s);
            assertArrayEquals(s.getBytes(NativeMemory.CHARSET), NativeMemory.cStringAt(address));
            assertEquals("", cStringAt(memory.cString("")));
        }
    }

    @Test
    void blocksAreZeroedOrFilledAndCopiesAreExact() {
        try (NativeMemory memory = new NativeMemory()) {
            long zero = memory.zeroed(128), ones = memory.filled(128, (byte) 0xff);
            byte[] z = new byte[128], o = new byte[128];
            NativeMemory.getBytes(zero, z, 0, 128);
            NativeMemory.getBytes(ones, o, 0, 128);
            assertArrayEquals(new byte[128], z);
            for (byte b : o) assertEquals((byte) 0xff, b);
            byte[] data = {1, 2, 3, 4, 5};
            long copy = memory.copyOf(data, 1, 3);
            byte[] back = new byte[3];
            NativeMemory.getBytes(copy, back, 0, 3);
            assertArrayEquals(new byte[] {2, 3, 4}, back);
        }
    }

    @Test
    void manyBlocksAreAllFreedOnClose() {
        // more blocks than the first bookkeeping array holds; close frees each once (a double free would abort)
        NativeMemory memory = new NativeMemory();
        for (int i = 0; i < 100; i++) memory.cString("block " + i);
        memory.close();
        memory.close();
    }
}
