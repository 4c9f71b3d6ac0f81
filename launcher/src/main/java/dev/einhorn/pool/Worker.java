package dev.einhorn.pool;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Set;

/** One live worker process as the pool tracks it (Einhorn's {@code children[pid]} record). */
public final class Worker {
    private final int pid;
    private final int index;
    private final int version;
    private final double spinupAt;
    private final Instant spinupWall;
    private boolean acked;
    private Double ackLatency;
    private final Set<String> signaled = new LinkedHashSet<>();
    private double lastSignaledAt = Double.NaN;
    private Instant pingedAt;
    private Object pingedRequestId;
    private boolean abandoned;
    /** It was a warm standby, activated at spinupAt (so its ACK latency is activation-to-ACK). */
    private boolean activated;

    Worker(int pid, int index, int version, double spinupAt, Instant spinupWall) {
        this.pid = pid;
        this.index = index;
        this.version = version;
        this.spinupAt = spinupAt;
        this.spinupWall = spinupWall;
    }

    public int pid() {
        return pid;
    }

    /** EINHORN_CHILD_INDEX. */
    public int index() {
        return index;
    }

    /** The code version (generation of workers) it was spawned for. */
    public int version() {
        return version;
    }

    public boolean acked() {
        return acked;
    }

    /** Signals sent to it with record=true (graceful stop, KILL escalation), in order. */
    public Set<String> signaled() {
        return Collections.unmodifiableSet(signaled);
    }

    public boolean isSignaled() {
        return !signaled.isEmpty();
    }

    public Instant spinupWall() {
        return spinupWall;
    }

    double spinupAt() {
        return spinupAt;
    }

    double lastSignaledAt() {
        return lastSignaledAt;
    }

    public Instant pingedAt() {
        return pingedAt;
    }

    public Object pingedRequestId() {
        return pingedRequestId;
    }

    /** Spawned for an upgrade that failed: never counts as current, whatever its version. */
    public boolean abandoned() {
        return abandoned;
    }

    /** Was a warm standby until its activation ({@code --standby}). */
    public boolean activated() {
        return activated;
    }

    void markActivated() {
        activated = true;
    }

    void markAbandoned() {
        abandoned = true;
    }

    void markAcked() {
        acked = true;
    }

    void markAcked(double latencySeconds) {
        acked = true;
        ackLatency = latencySeconds;
    }

    /** Seconds from spawn to ACK, or null when not acked (or acked before this master knew it). */
    public Double ackLatency() {
        return ackLatency;
    }

    /** Monotonic seconds ({@link Clock#now()}) at spawn. */
    public double spawnedAt() {
        return spinupAt;
    }

    void markSignaled(String signal, double now) {
        signaled.add(signal);
        lastSignaledAt = now;
    }

    void markPinged(Instant at, Object requestId) {
        pingedAt = at;
        pingedRequestId = requestId;
    }

    Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", pid);
        m.put("index", index);
        m.put("version", version);
        m.put("spinup_at", spinupAt);
        m.put("spinup_wall", HandoverTime.write(spinupWall));
        m.put("acked", acked);
        if (ackLatency != null) m.put("ack_latency", ackLatency);
        m.put("signaled", new ArrayList<>(signaled));
        m.put("last_signaled_at", lastSignaledAt);
        m.put("pinged_at", HandoverTime.write(pingedAt));
        m.put("pinged_request_id", pingedRequestId);
        m.put("abandoned", abandoned);
        m.put("activated", activated);
        return m;
    }

    @SuppressWarnings("unchecked")
    static Worker restore(Map<String, Object> m) {
        Worker w = new Worker(((Number) m.get("pid")).intValue(), ((Number) m.get("index")).intValue(),
                ((Number) m.get("version")).intValue(), ((Number) m.get("spinup_at")).doubleValue(),
                HandoverTime.read(m.get("spinup_wall")));
        w.acked = (Boolean) m.get("acked");
        if (m.get("ack_latency") instanceof Number n) w.ackLatency = n.doubleValue();
        w.signaled.addAll((List<String>) m.get("signaled"));
        w.lastSignaledAt = ((Number) m.get("last_signaled_at")).doubleValue();
        w.pingedAt = HandoverTime.read(m.get("pinged_at"));
        w.pingedRequestId = m.get("pinged_request_id");
        w.abandoned = (Boolean) m.get("abandoned");
        w.activated = Boolean.TRUE.equals(m.get("activated"));
        return w;
    }
}
