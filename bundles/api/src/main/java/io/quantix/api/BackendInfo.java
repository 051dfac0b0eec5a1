package io.quantix.api;

import java.util.Set;

/**
 * An installed backend.
 *
 * @param description one line, e.g. the libvirt URI it runs on
 * @param simulated nothing real runs behind it (libvirt's test driver)
 */
public record BackendInfo(BackendKind kind, String name, String description, Set<Capability> capabilities,
        boolean simulated) {
    public BackendInfo {
        Validation.required("kind", kind);
        Validation.name("backend", name);
        Validation.required("description", description);
        capabilities = Set.copyOf(Validation.set("capabilities", capabilities));
    }
}
