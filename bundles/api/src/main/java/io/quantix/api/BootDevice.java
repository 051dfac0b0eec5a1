package io.quantix.api;

/** A boot device, in the order the VM tries them. */
public enum BootDevice { DISK, CDROM, NETWORK }
