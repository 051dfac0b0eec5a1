package io.quantix.api;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks applied at the API edge (record constructors call them), so that no bad name or size ever
 * reaches a backend, a file system path, libvirt XML or a command line.
 */
public final class Validation {
    /** Object names: safe as a file name, an XML value, a shell argument and a libvirt domain name. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    /** Tags: a name, or key=value of two names. */
    private static final Pattern TAG = Pattern.compile(NAME.pattern() + "(=" + NAME.pattern() + ")?");
    /** Host interface names: the kernel's 15-character limit, no separators. */
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*([KMGT]?)(?:i?B)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern HOST_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

    public static final long KIB = 1024L;
    public static final long MIB = 1024L * KIB;
    public static final long GIB = 1024L * MIB;
    public static final long TIB = 1024L * GIB;
    /** Largest volume accepted: beyond what any pool here can hold, well below qemu-img's limits. */
    public static final long MAX_VOLUME_BYTES = 64 * TIB;

    private Validation() {
    }

    public static String name(String kind, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw QuantixException.invalid(kind + " name " + quote(value)
                    + " is invalid: use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return value;
    }

    /**
     * A host name (RFC 1123): dot-separated labels of 1-63 lower-case letters, digits and inner hyphens, at most 253
     * characters in all. Upper case is accepted and lowered, as DNS ignores case.
     */
    public static String hostname(String value) {
        String lower = value == null ? "" : value.strip().toLowerCase(java.util.Locale.ROOT);
        boolean ok = !lower.isEmpty() && lower.length() <= 253;
        for (String label : lower.split("\\.", -1)) {
            ok &= HOST_LABEL.matcher(label).matches();
        }
        if (!ok) {
            throw QuantixException.invalid("host name " + quote(value) + " is invalid: use labels of 1-63 letters,"
                    + " digits and '-' (not first or last), separated by dots, at most 253 characters");
        }
        return lower;
    }

    /**
     * A VM tag (what security groups select VMs by): a name such as {@code web}, or {@code key=value} with a
     * name on each side such as {@code role=web}. Nothing else, so a tag never needs quoting in a list or a key.
     */
    public static String tag(String value) {
        if (value == null || !TAG.matcher(value).matches()) {
            throw QuantixException.invalid("tag " + quote(value) + " is invalid: use a name such as web, or key=value such as"
                    + " role=web, each a name of 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return value;
    }

    /** A VM's tags, checked one by one; answers an immutable copy. */
    public static Set<String> tags(Set<String> value) {
        Set<String> tags = set("tags", value);
        tags.forEach(Validation::tag);
        return tags;
    }

    public static String interfaceName(String kind, String value) {
        if (value == null || !IFNAME.matcher(value).matches()) {
            throw QuantixException.invalid(kind + " " + quote(value)
                    + " is invalid: use 1-15 letters, digits, '.', '_' or '-'");
        }
        return value;
    }

    /** Normalises to lower case; rejects multicast addresses, which a NIC cannot use. */
    public static String mac(String value) {
        String mac = value == null ? null : value.toLowerCase(java.util.Locale.ROOT);
        if (mac == null || !MAC.matcher(mac).matches() || (Integer.parseInt(mac.substring(0, 2), 16) & 1) != 0) {
            throw QuantixException.invalid("MAC address " + quote(value) + " is invalid: use a unicast xx:xx:xx:xx:xx:xx");
        }
        return mac;
    }

    /** A dotted-quad IPv4 address, each part 0-255 without leading zeros. */
    public static String ipv4(String what, String value) {
        if (value == null || !IPV4.matcher(value).matches()) {
            throw QuantixException.invalid(what + " " + quote(value) + " is not an IPv4 address such as 10.0.0.5");
        }
        return value;
    }

    public static long range(String what, long value, long min, long max) {
        if (value < min || value > max) {
            throw QuantixException.invalid(what + " " + value + " is out of range [" + min + ", " + max + "]");
        }
        return value;
    }

    /**
     * Parses a size a person types: plain bytes, or a number with K, M, G, T (powers of 1024; an optional
     * trailing {@code iB} or {@code B} is accepted). INVALID_ARGUMENT for anything else or on overflow.
     */
    public static long size(String what, String text) {
        java.util.regex.Matcher m = text == null ? null : SIZE.matcher(text.strip());
        if (m == null || !m.matches()) {
            throw QuantixException.invalid(what + " " + quote(text) + " is not a size: use e.g. 512M, 20G or 1T");
        }
        long unit = switch (m.group(2).toUpperCase(java.util.Locale.ROOT)) {
            case "K" -> KIB;
            case "M" -> MIB;
            case "G" -> GIB;
            case "T" -> TIB;
            default -> 1;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw QuantixException.invalid(what + " " + quote(text) + " is too large");
        }
    }

    public static <T> T required(String what, T value) {
        if (value == null) {
            throw QuantixException.invalid(what + " is required");
        }
        return value;
    }

    public static <T> List<T> list(String what, List<T> value) {
        return List.copyOf(noNulls(what, value));
    }

    public static <T> Set<T> set(String what, Set<T> value) {
        return Set.copyOf(noNulls(what, value));
    }

    private static <C extends Collection<?>> C noNulls(String what, C value) {
        required(what, value);
        if (value.stream().anyMatch(java.util.Objects::isNull)) {
            throw QuantixException.invalid(what + " must not contain empty entries");
        }
        return value;
    }

    /** Quotes a user value for an error message, cutting it short so a huge input cannot flood a log. */
    public static String quote(String value) {
        if (value == null) {
            return "(none)";
        }
        String shown = value.length() > 64 ? value.substring(0, 64) + "..." : value;
        return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
