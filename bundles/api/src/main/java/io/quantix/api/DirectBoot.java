package io.quantix.api;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Boots a VM straight into a kernel on the host, without a boot loader or disk: appliances, installers and
 * tiny test guests. The files must be readable by the hypervisor; the core does not manage them, and accepts them
 * only under the folders the node lets API clients name.
 *
 * @param kernel absolute path of the kernel image on the host
 * @param initrd absolute path of the initial RAM disk on the host
 * @param cmdline the kernel command line; may be empty
 */
public record DirectBoot(String kernel, String initrd, String cmdline) {
    /** x86's COMMAND_LINE_SIZE, less the terminating NUL. */
    public static final int MAX_CMDLINE = 2047;
    private static final int MAX_PATH = 4095;
    /** Quotes would change how the kernel splits the line; control characters have no place in it. */
    private static final Pattern CMDLINE = Pattern.compile("[^\\p{Cntrl}'\"]*");

    public DirectBoot {
        kernel = path("kernel", kernel);
        initrd = path("initrd", initrd);
        Validation.required("kernel command line", cmdline);
        Validation.range("kernel command line length", cmdline.length(), 0, MAX_CMDLINE);
        if (!CMDLINE.matcher(cmdline).matches()) {
            throw QuantixException.invalid("kernel command line " + Validation.quote(cmdline)
                    + " is invalid: quotes and control characters are not allowed");
        }
    }

    private static String path(String what, String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_PATH || value.chars().anyMatch(Character::isISOControl)
                || !value.startsWith("/") || !Path.of(value).normalize().toString().equals(value)) {
            throw QuantixException.invalid(what + " path " + Validation.quote(value)
                    + " is invalid: use an absolute, normalised path without control characters");
        }
        return value;
    }
}
