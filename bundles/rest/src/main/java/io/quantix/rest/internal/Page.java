package io.quantix.rest.internal;

import java.util.List;
import java.util.function.Function;

/**
 * A slice of a list answer. Every list endpoint answers this shape, so clients page them all the same way.
 *
 * @param total how many items match, before slicing
 */
record Page<T>(List<T> items, int total, int offset, int limit) {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    static <T> Page<T> of(List<T> all, Call call) {
        int limit = call.intQuery("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        int offset = call.intQuery("offset", 0, 0, Integer.MAX_VALUE);
        int from = Math.min(offset, all.size());
        int to = (int) Math.min((long) from + limit, all.size());
        return new Page<>(List.copyOf(all.subList(from, to)), all.size(), offset, limit);
    }

    /** The same slice with each item shown as {@code view} makes it: only the slice's items are mapped. */
    <R> Page<R> map(Function<T, R> view) {
        return new Page<>(items.stream().map(view).toList(), total, offset, limit);
    }
}
