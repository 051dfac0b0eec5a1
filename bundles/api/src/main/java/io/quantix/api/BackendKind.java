package io.quantix.api;

/** The three kinds of pluggable backend. */
public enum BackendKind { HYPERVISOR, STORAGE, NETWORK }
