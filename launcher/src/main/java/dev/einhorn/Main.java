package dev.einhorn;

import dev.einhorn.cli.CliResult;
import dev.einhorn.master.MasterMain;
import java.util.Map;

/**
 * Entry point of bin/einhorn.
 *
 * <p>Two command lines never reach the CLI parser (picocli): the ones the master writes itself when it
 * reloads. {@code --upgrade-check} (the first JVM of every reload) and {@code --with-state-fd N -- CMD}
 * (the re-executed image) then start without loading picocli's ~170 classes, which the class-data archive
 * cannot hold (they are class-file version 49) and which would stay in the long-lived master's metaspace.
 * Any other form, including these options mixed with others, goes through the full parser with its checks,
 * in a class loader that is dropped once the master runs ({@link DisposableCli}).
 * docs/FOOTPRINT.md has the measurements.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length >= 1 && args[0].equals("--upgrade-check")) {
            // Einhorn ignores whatever follows --upgrade-check; so does the parser (CliResult.UpgradeCheck).
            return MasterMain.upgradeCheck();
        }
        int stateFd = reexecStateFd(args);
        if (stateFd >= 0) {
            return MasterMain.resume(stateFd, System.getenv());
        }
        Map<String, String> env = System.getenv();
        CliResult result = DisposableCli.parse(args, env);
        if (result instanceof CliResult.Run) DisposableCli.unload();
        return MasterMain.run(result, env);
    }

    /**
     * The state fd of the command line a reloading master writes ({@code --with-state-fd N -- CMD}), or -1 for
     * any other command line. The worker command after {@code --} is not needed: it travels in the hand-over.
     */
    static int reexecStateFd(String[] args) {
        if (args.length < 3 || !args[0].equals("--with-state-fd") || !args[2].equals("--")) return -1;
        String n = args[1];
        if (n.isEmpty() || n.length() > 9) return -1;
        for (int i = 0; i < n.length(); i++) {
            if (n.charAt(i) < '0' || n.charAt(i) > '9') return -1;
        }
        return Integer.parseInt(n);
    }
}
