package dev.einhorn.bench.skeleton;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * {@link SkeletonIo} plus the master's libc calls (getpid, kill, fcntl, posix_spawnp with its attributes and file
 * actions, waitpid) through jffi, the JNI layer under jnr-ffi and jnr-posix, called directly.
 */
public final class JffiSkeleton {
    private static final Library LIBC = Library.getCachedInstance("libc.so.6", Library.LAZY | Library.GLOBAL);
    private static final Invoker INVOKER = Invoker.getInstance();
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    private JffiSkeleton() {
    }

    private static CallContext signature(Type result, Type... params) {
        return CallContext.getCallContext(result, params, CallingConvention.DEFAULT, true);
    }

    private static long symbol(String name) {
        return LIBC.getSymbolAddress(name);
    }

    private static long cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        long a = MEMORY.allocateMemory(b.length + 1, true);
        MEMORY.putByteArray(a, b, 0, b.length);
        return a;
    }

    private static long cStrings(List<String> strings) {
        long a = MEMORY.allocateMemory(8L * (strings.size() + 1), true);
        for (int i = 0; i < strings.size(); i++) MEMORY.putAddress(a + 8L * i, cString(strings.get(i)));
        return a;
    }

    public static void main(String[] args) throws Exception {
        CallContext intVoid = signature(Type.SINT);
        CallContext intIntInt = signature(Type.SINT, Type.SINT, Type.SINT);
        CallContext fcntl = signature(Type.SINT, Type.SINT, Type.SINT, Type.SINT);
        CallContext ptr = signature(Type.SINT, Type.POINTER);
        CallContext ptrIntInt = signature(Type.SINT, Type.POINTER, Type.SINT, Type.SINT);
        CallContext ptrInt = signature(Type.SINT, Type.POINTER, Type.SINT);
        CallContext spawn = signature(Type.SINT, Type.POINTER, Type.POINTER, Type.POINTER, Type.POINTER, Type.POINTER,
                Type.POINTER);
        CallContext waitpid = signature(Type.SINT, Type.SINT, Type.POINTER, Type.SINT);
        int pid = INVOKER.invokeI0(intVoid, symbol("getpid"));
        INVOKER.invokeI2(intIntInt, symbol("kill"), pid, 0);
        Selector selector = SkeletonIo.listen(Path.of(args[0]));
        INVOKER.invokeI3(fcntl, symbol("fcntl"), 0, 1, 0); // F_GETFD
        int[] children = new int[SkeletonIo.CHILDREN];
        List<String> env = SkeletonIo.environment();
        for (int k = 0; k < children.length; k++) {
            long attr = MEMORY.allocateMemory(512, true), actions = MEMORY.allocateMemory(512, true);
            long pidOut = MEMORY.allocateMemory(8, true);
            INVOKER.invokeN1(ptr, symbol("posix_spawnattr_init"), attr);
            INVOKER.invokeN1(ptr, symbol("posix_spawn_file_actions_init"), actions);
            INVOKER.invokeN3(ptrIntInt, symbol("posix_spawn_file_actions_adddup2"), actions, 2, 3);
            INVOKER.invokeN2(ptrInt, symbol("posix_spawn_file_actions_addclosefrom_np"), actions, 4);
            int rc = (int) INVOKER.invokeN6(spawn, symbol("posix_spawnp"), pidOut, cString(SkeletonIo.CHILD_ARGV.get(0)),
                    actions, attr, cStrings(SkeletonIo.CHILD_ARGV), cStrings(env));
            if (rc != 0) throw new IllegalStateException("posix_spawnp: " + rc);
            children[k] = MEMORY.getInt(pidOut);
        }
        INVOKER.invokeN3(waitpid, symbol("waitpid"), -1, MEMORY.allocateMemory(8, true), 1); // WNOHANG
        SkeletonIo.upThenIdle(args[1], selector, new Runnable() {
            @Override
            public void run() {
                for (int child : children) INVOKER.invokeI2(intIntInt, symbol("kill"), child, 9);
            }
        });
    }
}
