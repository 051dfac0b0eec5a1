package io.quantix.api;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A storage pool definition.
 *
 * @param backend the storage backend that serves it ({@code dir}, {@code nfs}, ...)
 * @param options backend-specific settings (a {@code dir} pool takes {@code path} and {@code capacity});
 *     the backend validates them
 */
public record StoragePoolSpec(String name, String backend, Map<String, String> options) {
    private static final Pattern OPTION_KEY = Pattern.compile("[a-z][a-zA-Z0-9.]{0,39}");

    public StoragePoolSpec {
        Validation.name("pool", name);
        Validation.name("storage backend", backend);
        options = Map.copyOf(new TreeMap<>(Validation.required("options", options)));
        options.forEach((k, v) -> {
            if (!OPTION_KEY.matcher(k).matches() || k.equals("name") || k.equals("backend") || k.startsWith("service.")
                    || k.startsWith("felix.")) {
                throw QuantixException.invalid("pool option " + Validation.quote(k) + " is not a valid option name");
            }
            if (v.length() > 1024 || v.chars().anyMatch(Character::isISOControl)) {
                throw QuantixException.invalid("pool option '" + k + "' has an invalid value");
            }
        });
    }

    public java.util.Optional<String> option(String key) {
        return java.util.Optional.ofNullable(options.get(key));
    }
}
