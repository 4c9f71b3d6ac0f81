package dev.einhorn.preload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SHA-256 of files, remembered in a memo file of the preload cache ({@code file-hashes}) against what the
 * kernel says about the file: path, size, inode, mtime and ctime. Any write to a file changes its ctime
 * (which no tool can set back) and replacing it changes its inode, so an unchanged stat means unchanged
 * contents, as git's index assumes. That keeps a cached start from hashing a 25 MB fat jar every time: the
 * master's small JIT hashes about 40 MB/s (docs/PRELOAD.md). The memo is shared by masters: rewritten under a
 * temporary name and renamed; a lost update only costs a hash.
 */
final class FileHashes {
    static final String MEMO = "file-hashes";

    private FileHashes() {
    }

    /** The file's SHA-256 (hex), from the memo in {@code cacheDir} when its stat is unchanged. */
    static String sha256(Path file, Path cacheDir) throws IOException {
        Path real = file.toRealPath();
        String stat = stat(real);
        Path memo = cacheDir.resolve(MEMO);
        Map<String, String> known = read(memo);
        String line = known.get(real.toString());
        if (line != null && line.startsWith(stat + " ")) return line.substring(stat.length() + 1);
        String sha = ArchiveCache.hex(ArchiveCache.digest(real));
        known.put(real.toString(), stat + " " + sha);
        write(memo, known);
        return sha;
    }

    /** size, inode, mtime and ctime (ns), as one word. */
    static String stat(Path file) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:size,ino,lastModifiedTime,ctime");
        return a.get("size") + ":" + a.get("ino") + ":" + nanos(a.get("lastModifiedTime")) + ":" + nanos(a.get("ctime"));
    }

    private static long nanos(Object t) {
        return ((FileTime) t).to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** path TAB stat SPACE sha, one file a line. */
    private static Map<String, String> read(Path memo) {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            for (String l : CacheFiles.readSmall(memo, CacheFiles.MEMO).split("\n")) {
                int tab = l.indexOf('\t');
                if (tab > 0) m.put(l.substring(0, tab), l.substring(tab + 1));
            }
        } catch (IOException | RuntimeException e) {
            // none yet, or unreadable: hash again
        }
        return m;
    }

    private static void write(Path memo, Map<String, String> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((path, v) -> {
            if (Files.exists(Path.of(path))) sb.append(path).append('\t').append(v).append('\n');
        });
        Path tmp = memo.resolveSibling(MEMO + ".tmp" + ProcessHandle.current().pid());
        try {
            CacheFiles.writeNew(tmp, sb);
            Files.move(tmp, memo, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
