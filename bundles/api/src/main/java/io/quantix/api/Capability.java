package io.quantix.api;

/**
 * What a backend can do beyond the basics of its kind. A backend advertises only what it implements,
 * so an API can answer "this backend cannot snapshot" ({@link ErrorCode#UNSUPPORTED}) up front.
 */
public enum Capability {
    // hypervisor
    PAUSE, REBOOT, GRACEFUL_SHUTDOWN, UEFI, SNAPSHOT, HOT_PLUG, LIVE_MIGRATION, METRICS,
    // storage
    QCOW2, RAW, VOLUME_RESIZE, VOLUME_CLONE, THIN_PROVISIONING,
    // network
    BRIDGE, VLAN, OVERLAY, DHCP, SECURITY_GROUPS,
    // hypervisor, added later: appended so the earlier constants keep their order
    /** VNC/SPICE graphics with one-time passwords, and the serial console. */
    CONSOLE,
    /** Attaches a cloud-init NoCloud seed at definition. */
    CLOUD_INIT,
    /** Reports VM state changes as they happen, including those nobody asked Quantix for (a guest powering off). */
    LIFECYCLE_EVENTS,
    // storage, added later
    /** Point-in-time snapshots of single volumes. */
    VOLUME_SNAPSHOT,
    /** Read-only template volumes that new volumes are cloned from. */
    TEMPLATES,
    /** Imports a disk image (qcow2 or raw) streamed in as a new volume. */
    IMAGE_IMPORT,
    /** Keeps ISO images that VMs can use as CD-ROMs. */
    ISO_LIBRARY,
    // network, added later
    /** Logical routers between networks, with SNAT and floating IPs through an uplink. */
    ROUTING,
    /** L4 load balancers (VIP and port spread over members) on routers. */
    LOAD_BALANCING,
    /** {@code <vm>.internal} resolves inside the VM's network. */
    DNS,
    // hypervisor, added later
    /** Starts marked VMs by itself when the node (its hypervisor) starts. */
    AUTOSTART,
    /** UEFI with Secure Boot and enrolled keys ({@link Firmware#UEFI_SECURE_BOOT}). */
    SECURE_BOOT
}
