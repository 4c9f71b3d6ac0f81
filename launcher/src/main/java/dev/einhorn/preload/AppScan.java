package dev.einhorn.preload;

import io.github.classgraph.ClassGraph;
import io.github.classgraph.ClassInfo;
import io.github.classgraph.MethodInfo;
import io.github.classgraph.ScanResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * What the master learns from the app jar before a generation: its manifest's {@code Einhorn-Main} and
 * {@code Main-Class}, the classes that declare {@code public static void einhornMain(String[])} (ClassGraph),
 * the classes to load in the training run, and the jars of its manifest {@code Class-Path}.
 */
record AppScan(String einhornMainAttribute, String mainClass, List<String> einhornMains, List<String> classNames,
        List<Path> classPath) {
    static final String ENTRY_METHOD = "einhornMain";
    static final String MANIFEST_ATTRIBUTE = "Einhorn-Main";
    private static final String STRING_ARRAY_VOID = "([Ljava/lang/String;)V";

    /**
     * Reads a jar; {@code extraClassPath} (the runtime jar) is scanned for training classes only.
     *
     * @throws IOException when the file is not a readable jar
     */
    static AppScan of(Path jar, List<Path> extraClassPath) throws IOException {
        String einhornMain = null;
        String mainClass = null;
        List<Path> classPath = new ArrayList<>(extraClassPath);
        classPath.add(jar);
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest m = jf.getManifest();
            if (m != null) {
                Attributes a = m.getMainAttributes();
                einhornMain = trimToNull(a.getValue(MANIFEST_ATTRIBUTE));
                mainClass = trimToNull(a.getValue(Attributes.Name.MAIN_CLASS));
            }
        }
        List<String> candidates = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Path> manifestClassPath = new ArrayList<>();
        List<String> scanPath = new ArrayList<>();
        classPath.forEach(p -> scanPath.add(p.toString()));
        try (ScanResult scan = new ClassGraph().overrideClasspath(scanPath).enableClassInfo().enableMethodInfo()
                .ignoreClassVisibility().scan()) {
            for (ClassInfo ci : scan.getAllClasses()) {
                if (ci.getName().equals("module-info") || ci.getName().endsWith(".package-info")) continue;
                names.add(ci.getName());
                if (!ci.isPublic() || !jar.toString().equals(ci.getClasspathElementFile() == null ? null
                        : ci.getClasspathElementFile().toString())) {
                    continue;
                }
                for (MethodInfo mi : ci.getDeclaredMethodInfo(ENTRY_METHOD)) {
                    if (mi.isStatic() && mi.isPublic() && STRING_ARRAY_VOID.equals(mi.getTypeDescriptorStr())) {
                        candidates.add(ci.getName());
                        break;
                    }
                }
            }
            for (java.io.File f : scan.getClasspathFiles()) {
                Path p = f.toPath();
                if (!classPath.contains(p)) manifestClassPath.add(p);
            }
        }
        candidates.sort(null);
        List<Path> fullClassPath = new ArrayList<>(classPath);
        fullClassPath.addAll(manifestClassPath);
        return new AppScan(einhornMain, mainClass, candidates, names, fullClassPath);
    }

    private static String trimToNull(String s) {
        if (s == null || s.isBlank()) return null;
        return s.trim();
    }
}
