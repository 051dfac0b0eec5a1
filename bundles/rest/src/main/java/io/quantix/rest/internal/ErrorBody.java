package io.quantix.rest.internal;

import java.util.Map;

/** The JSON body of every error answer: {@code {"code":"NOT_FOUND","message":"...","details":{}}}. */
record ErrorBody(String code, String message, Map<String, Object> details) {
    ErrorBody {
        details = Map.copyOf(details);
    }
}
