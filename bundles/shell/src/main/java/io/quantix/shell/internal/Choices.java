package io.quantix.shell.internal;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** A word typed for one of an enum's values, in any case; INVALID_ARGUMENT naming the choices otherwise. */
final class Choices {
    private Choices() {
    }

    static <E extends Enum<E>> E of(String what, String text, Class<E> type) {
        try {
            return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw QuantixException.invalid(what + " " + Validation.quote(String.valueOf(text)) + " is not one of "
                    + Stream.of(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT))
                            .collect(Collectors.joining(", ")));
        }
    }
}
