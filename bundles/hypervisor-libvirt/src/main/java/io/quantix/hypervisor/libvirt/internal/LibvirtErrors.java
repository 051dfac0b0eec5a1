package io.quantix.hypervisor.libvirt.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import org.libvirt.Error;
import org.libvirt.LibvirtException;

/** The one place where libvirt's errors become Quantix error codes. */
final class LibvirtErrors {
    private LibvirtErrors() {
    }

    /** @param vm the VM the call was about, for the message; null for connection-wide calls */
    static QuantixException map(LibvirtException e, String vm) {
        Error error = e.getError();
        Error.ErrorNumber number = error == null ? null : error.getCode();
        String message = error == null || error.getMessage() == null ? e.getMessage() : error.getMessage();
        if (number == null) {
            return new QuantixException(ErrorCode.BACKEND_ERROR, "libvirt: " + message, e);
        }
        return switch (number) {
            case VIR_ERR_NO_DOMAIN -> vm == null ? new QuantixException(ErrorCode.NOT_FOUND, "libvirt: " + message, e)
                    : new QuantixException(ErrorCode.NOT_FOUND, "VM '" + vm + "' does not exist", e);
            case VIR_ERR_NO_DOMAIN_SNAPSHOT -> new QuantixException(ErrorCode.NOT_FOUND, "libvirt: " + message, e);
            case VIR_ERR_DOM_EXIST -> vm == null ? new QuantixException(ErrorCode.ALREADY_EXISTS, "libvirt: " + message, e)
                    : new QuantixException(ErrorCode.ALREADY_EXISTS, "VM '" + vm + "' already exists", e);
            case VIR_ERR_OPERATION_INVALID -> new QuantixException(ErrorCode.CONFLICT, "libvirt: " + message, e);
            case VIR_ERR_NO_SUPPORT, VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_ERR_OPERATION_UNSUPPORTED ->
                    new QuantixException(ErrorCode.UNSUPPORTED, "libvirt: " + message, e);
            default -> new QuantixException(ErrorCode.BACKEND_ERROR, "libvirt: " + message, e);
        };
    }

    /** True if the call failed only because the driver does not implement it. */
    static boolean unsupported(LibvirtException e) {
        return map(e, null).code() == ErrorCode.UNSUPPORTED;
    }
}
