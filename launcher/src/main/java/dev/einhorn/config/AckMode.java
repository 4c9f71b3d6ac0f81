package dev.einhorn.config;

/** How a worker proves it is up: by telling the master ({@code -m manual}) or by surviving a timer. */
public record AckMode(boolean manual, double timeoutSeconds) {
    public static AckMode manualMode() {
        return new AckMode(true, 0);
    }

    public static AckMode timer(double seconds) {
        return new AckMode(false, seconds);
    }

    /** Einhorn's inspect form, used in its log lines: {:type=>:manual} / {:type=>:timer, :timeout=>1}. */
    public String inspect() {
        if (manual) return "{:type=>:manual}";
        return "{:type=>:timer, :timeout=>" + Numbers.rubyFloat(timeoutSeconds) + "}";
    }
}
