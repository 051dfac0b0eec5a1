package io.quantix.api;

/** Guest firmware. */
public enum Firmware {
    BIOS,
    /** UEFI with Secure Boot off: any boot loader starts. */
    UEFI,
    /**
     * UEFI with Secure Boot on and the usual (Microsoft) keys enrolled: a boot loader they did not sign is refused.
     * Appended after the others so their order stays.
     */
    UEFI_SECURE_BOOT;

    /** Whether this is a UEFI firmware, with or without Secure Boot. */
    public boolean uefi() {
        return this != BIOS;
    }
}
