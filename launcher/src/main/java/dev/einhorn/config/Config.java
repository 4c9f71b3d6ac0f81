package dev.einhorn.config;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything the command line says, immutable. Built by the CLI ({@code dev.einhorn.cli}); defaults
 * are Einhorn's (docs/COMPATIBILITY.md#flags).
 *
 * @param binds                -b, in order (EINHORN_FD_0, 1, ...)
 * @param commandName          -c, or null
 * @param socketPath           -d (default tmpdir/einhorn[-NAME].sock)
 * @param pidfile              -e (default tmpdir/einhorn[-NAME].pid)
 * @param lockfile             -f (default tmpdir/einhorn[-NAME].lock)
 * @param commandSocketAsFd    -g
 * @param killChildrenOnExit   -k
 * @param backlog              -l (default 100)
 * @param ackMode              -m (default timer 1 s)
 * @param number               -n (default 1, must be >= 1)
 * @param preload              -p, or null
 * @param verbosity            0 debug, 1 info (default), 2 errors only; -v/-q
 * @param seconds              -s base respawn interval (default 1, > 0)
 * @param dropEnvVars          --drop-env-var, repeatable
 * @param reexecAs             --reexec-as split in shell words, empty when unset
 * @param niceMaster           --nice MASTER, or null
 * @param niceWorker           --nice :WORKER, or null
 * @param reniceCommand        --nice ::CMD (default /usr/bin/renice)
 * @param withStateFd          --with-state-fd (internal), or null
 * @param upgradeCheck         --upgrade-check (internal)
 * @param signalTimeout        -t seconds, or null
 * @param maxUnacked           --max-unacked, or null (= number of CPUs)
 * @param maxUpgradeAdditional --max-upgrade-additional, or null
 * @param gcBeforeFork         --gc-before-fork (accepted; a no-op for JVM workers)
 * @param gracefulSignal       --graceful-signal (default USR2), name without SIG
 * @param upgradeTimeout       --upgrade-timeout seconds, or null (never give up, as Einhorn)
 * @param java                 --java PATH for preloaded workers, or null (JAVA_HOME, then PATH)
 * @param preloadCache         --preload-cache DIR, or null (default under the user's cache dir)
 * @param standby              --standby N, or null (default: 1 with -p, 0 without; docs/PRELOAD.md)
 * @param command              the worker command as typed (never empty)
 */
public record Config(
        List<BindSpec> binds,
        String commandName,
        Path socketPath,
        Path pidfile,
        Path lockfile,
        boolean commandSocketAsFd,
        boolean killChildrenOnExit,
        int backlog,
        AckMode ackMode,
        int number,
        String preload,
        int verbosity,
        double seconds,
        List<String> dropEnvVars,
        List<String> reexecAs,
        Integer niceMaster,
        Integer niceWorker,
        String reniceCommand,
        Integer withStateFd,
        boolean upgradeCheck,
        Integer signalTimeout,
        Integer maxUnacked,
        Integer maxUpgradeAdditional,
        boolean gcBeforeFork,
        String gracefulSignal,
        Double upgradeTimeout,
        Path java,
        Path preloadCache,
        Integer standby,
        List<String> command) {

    public Config {
        binds = List.copyOf(binds);
        dropEnvVars = List.copyOf(dropEnvVars);
        reexecAs = List.copyOf(reexecAs);
        command = List.copyOf(command);
    }
}
