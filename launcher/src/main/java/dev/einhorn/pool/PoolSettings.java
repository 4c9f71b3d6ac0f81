package dev.einhorn.pool;

/**
 * The pool's fixed rules (all but the target count, which changes at run time).
 *
 * @param manualAck            -m manual
 * @param ackTimeout           -m FLOAT: seconds alive until a worker counts as acked (timer mode)
 * @param seconds              -s: base respawn interval
 * @param maxUnacked           --max-unacked (default: number of CPUs)
 * @param maxUpgradeAdditional --max-upgrade-additional, or null
 * @param signalTimeout        -t seconds, or null
 * @param gracefulSignal       --graceful-signal, name without SIG (default USR2)
 * @param upgradeTimeout       --upgrade-timeout seconds, or null (never give up)
 */
public record PoolSettings(
        boolean manualAck,
        double ackTimeout,
        double seconds,
        int maxUnacked,
        Integer maxUpgradeAdditional,
        Integer signalTimeout,
        String gracefulSignal,
        Double upgradeTimeout) {

    /** Einhorn's cap on the respawn back-off. */
    public static final double MAX_SPINUP_INTERVAL = 30.0;

    /** An upgrade whose new workers die this many times in a row before any ACK is abandoned. */
    public static final int UPGRADE_MAX_CONSECUTIVE_DEATHS = 5;

    /** Standbys that die this many times in a row before they are ready: the pool stops starting them. */
    public static final int STANDBY_MAX_CONSECUTIVE_FAILURES = 3;

    /** How long a smooth upgrade waits for a warming standby of the new version before it spawns instead. */
    public static final double STANDBY_READY_WAIT = 60.0;

    /**
     * A standby still warming up this long after its start is retired as a failure: a warm-up that never ends
     * would otherwise hold its place for good, and no other standby would ever start. The training run's default
     * bound for the same warm-up ({@code EINHORN_PRELOAD_TIMEOUT}, docs/PRELOAD.md).
     */
    public static final double STANDBY_WARMUP_LIMIT = 120.0;

    public String ackModeName() {
        return manualAck ? "manual" : "timer";
    }
}
