package io.quantix.shell.internal;

import io.quantix.api.Validation;

/** How the shell writes numbers for people. */
final class Format {
    private Format() {
    }

    /** Bytes in binary units with one decimal: 1.5G, 512.0M. */
    static String bytes(long value) {
        String[] units = {"B", "K", "M", "G", "T", "P"};
        double v = value;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? value + "B" : String.format(java.util.Locale.ROOT, "%.1f%s", v, units[u]);
    }

    /** How old a measure is, for people: "12 s ago", "3 min ago"; "-" when there is none. */
    static String age(java.util.Optional<java.time.Instant> at, java.time.Instant now) {
        if (at.isEmpty()) {
            return "-";
        }
        long seconds = Math.max(0, java.time.Duration.between(at.get(), now).toSeconds());
        return seconds < 120 ? seconds + " s ago" : seconds / 60 + " min ago";
    }

    static String mib(long mib) {
        return bytes(mib * Validation.MIB);
    }
}
