package io.quantix.api;

import java.util.Optional;

/** A network and whether its driver can serve it now. */
public record Network(NetworkSpec spec, Availability status, Optional<String> message) {
    public Network {
        Validation.required("network spec", spec);
        Validation.required("status", status);
        Validation.required("message", message);
    }

    public String name() {
        return spec.name();
    }
}
