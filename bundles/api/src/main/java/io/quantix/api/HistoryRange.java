package io.quantix.api;

import java.time.Duration;
import java.util.Arrays;

/** How far back a metrics history reaches, and how fine its points are. */
public enum HistoryRange {
    /** The last hour, a point every 5 seconds. */
    HOUR("1h", Duration.ofHours(1), Duration.ofSeconds(5)),
    /** The last 24 hours, a point every minute (the mean of that minute). */
    DAY("24h", Duration.ofHours(24), Duration.ofMinutes(1));

    private final String label;
    private final Duration span;
    private final Duration step;

    HistoryRange(String label, Duration span, Duration step) {
        this.label = label;
        this.span = span;
        this.step = step;
    }

    /** The name clients use: {@code 1h}, {@code 24h}. */
    public String label() {
        return label;
    }

    public Duration span() {
        return span;
    }

    public Duration step() {
        return step;
    }

    /** Points in a full history of this range. */
    public int points() {
        return (int) (span.toSeconds() / step.toSeconds());
    }

    /** INVALID_ARGUMENT for anything but a label. */
    public static HistoryRange parse(String label) {
        return Arrays.stream(values()).filter(r -> r.label.equals(label)).findFirst()
                .orElseThrow(() -> QuantixException.invalid("range must be 1h or 24h, not " + Validation.quote(label)));
    }
}
