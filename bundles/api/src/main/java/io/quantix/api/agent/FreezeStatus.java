package io.quantix.api.agent;

/** Whether the guest's filesystems are frozen (guest-fsfreeze-status). */
public enum FreezeStatus { THAWED, FROZEN }
