package io.quantix.api;

/** The emulated NIC model. */
public enum NicModel { VIRTIO, E1000 }
