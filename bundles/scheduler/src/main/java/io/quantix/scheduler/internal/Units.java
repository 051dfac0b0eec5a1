package io.quantix.scheduler.internal;

import io.quantix.api.Validation;
import java.util.Locale;

/** Sizes and ratios as a person reads them in a refusal or a move's reason. */
public final class Units {
    private Units() {
    }

    /** 8 GiB, 6.5 GiB, 512 MiB, 0 B. */
    public static String bytes(long value) {
        if (value <= 0) {
            return "0 B";
        }
        if (value >= Validation.GIB) {
            return trimmed(value / (double) Validation.GIB) + " GiB";
        }
        if (value >= Validation.MIB) {
            return trimmed(value / (double) Validation.MIB) + " MiB";
        }
        return value + " B";
    }

    public static String percent(double ratio) {
        return Math.round(ratio * 100) + "%";
    }

    public static String ratio(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    /** One decimal, none when it is .0: rounded down, so "most free" never claims more than there is. */
    private static String trimmed(double value) {
        double tenths = Math.floor(value * 10) / 10;
        return tenths == Math.rint(tenths) ? Long.toString((long) tenths) : String.format(Locale.ROOT, "%.1f", tenths);
    }
}
