package io.quantix.hypervisor.cloudhypervisor.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;

/**
 * The one place where Cloud Hypervisor's answers become Quantix error codes. The VM always exists on the Quantix
 * side when its VMM is asked anything, so CH's 404 ("the VM is not created") and 405 ("not booted", "not paused")
 * both mean the VM's state forbids the action: CONFLICT. A 500 is CH failing at the work itself (an image it cannot
 * open, a tap it cannot use): BACKEND_ERROR with CH's own text, which names the cause.
 */
final class ChErrors {
    private static final int MAX_DETAIL = 300;

    private ChErrors() {
    }

    static QuantixException fromStatus(String vm, String endpoint, int status, String body) {
        String detail = detail(body);
        return switch (status) {
            case 404 -> new QuantixException(ErrorCode.CONFLICT,
                    "VM '" + vm + "' is not created in its VMM (" + endpoint + ")" + detail);
            case 405 -> new QuantixException(ErrorCode.CONFLICT,
                    "VM '" + vm + "' is not in a state that allows " + endpoint + detail);
            default -> new QuantixException(ErrorCode.BACKEND_ERROR,
                    "cloud-hypervisor " + endpoint + " of VM '" + vm + "' failed with HTTP " + status + detail);
        };
    }

    /** The VMM could not be reached or did not answer properly. */
    static QuantixException unreachable(String vm, String endpoint, IOException e) {
        return new QuantixException(ErrorCode.BACKEND_ERROR,
                "the VMM of VM '" + vm + "' did not answer " + endpoint + ": " + e.getMessage(), e);
    }

    /** CH answers errors as a JSON list of causes or as plain text; either way one line for people. */
    private static String detail(String body) {
        String text = body == null ? "" : body.replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
        if (text.isEmpty()) {
            return "";
        }
        return ": " + (text.length() > MAX_DETAIL ? text.substring(0, MAX_DETAIL) + "..." : text);
    }
}
