package io.quantix.api;

/** The bus a virtual disk is attached to. */
public enum DiskBus { VIRTIO, SCSI, SATA }
