package io.quantix.core.internal;

import io.quantix.api.BackendInfo;
import io.quantix.api.BackendKind;
import io.quantix.api.Capability;
import io.quantix.api.QuantixException;
import io.quantix.api.spi.Backend;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The backends of one kind that are bound right now, by their {@code quantix.backend} name. */
final class BackendSet<T extends Backend> {
    private final BackendKind kind;
    private final Map<String, T> byName = new ConcurrentHashMap<>();

    BackendSet(BackendKind kind) {
        this.kind = kind;
    }

    /** Returns the backend's name, or empty if the service carries no usable name. */
    Optional<String> bind(T backend, Map<String, ?> properties) {
        return name(properties).map(n -> {
            byName.put(n, backend);
            return n;
        });
    }

    /** Unbinds only if this very service is the one bound under its name (a replacement may already be). */
    Optional<String> unbind(T backend, Map<String, ?> properties) {
        return name(properties).filter(n -> byName.remove(n, backend));
    }

    Optional<T> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The backend, or BACKEND_UNAVAILABLE naming what is missing. */
    T require(String name) {
        return find(name).orElseThrow(() -> QuantixException.backendUnavailable(label(), name));
    }

    /** The backend if it has the capability; UNSUPPORTED otherwise. */
    T require(String name, Capability capability) {
        T backend = require(name);
        if (!backend.capabilities().contains(capability)) {
            throw new QuantixException(io.quantix.api.ErrorCode.UNSUPPORTED,
                    label() + " backend '" + name + "' cannot do " + capability);
        }
        return backend;
    }

    Map<String, T> snapshot() {
        return Map.copyOf(byName);
    }

    List<BackendInfo> describe() {
        return byName.entrySet().stream()
                .map(e -> new BackendInfo(kind, e.getKey(), e.getValue().description(), e.getValue().capabilities(),
                        e.getValue().simulated()))
                .sorted(Comparator.comparing(BackendInfo::name))
                .toList();
    }

    private String label() {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static Optional<String> name(Map<String, ?> properties) {
        return Optional.ofNullable(properties.get(Backend.PROPERTY)).map(String::valueOf).filter(s -> !s.isBlank());
    }
}
