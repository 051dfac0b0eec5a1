package io.quantix.api;

/** Guest firmware. UEFI boots with Secure Boot off unless a later option asks for it. */
public enum Firmware { BIOS, UEFI }
