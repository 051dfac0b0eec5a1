package io.quantix.hypervisor.cloudhypervisor.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The Cloud Hypervisor REST API (version 0.3.0, {@code /api/v1}) of one VM's VMM, as far as this backend uses it. */
final class ChApi {
    private static final String BASE = "/api/v1/";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** CH's {@code VmState}. */
    enum VmState { Created, Running, Shutdown, Paused, BreakPoint }

    private final String vm;
    private final UnixHttpClient http;

    ChApi(String vm, Path socket, Duration timeout) {
        this.vm = vm;
        this.http = new UnixHttpClient(socket, timeout);
    }

    /** True when a VMM answers on the socket. */
    boolean vmmAnswers() {
        try {
            return http.send("GET", BASE + "vmm.ping", null).success();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The VM's state in its VMM; empty when no VMM answers (the socket is gone or stale) or it has no VM.
     * Errors other than these are BACKEND_ERROR: a VMM that answers nonsense is not a stopped VM.
     */
    Optional<VmState> state() {
        UnixHttpClient.Response r;
        try {
            r = http.send("GET", BASE + "vm.info", null);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (r.status() == 404) {
            return Optional.empty();
        }
        JsonNode info = json(r, "vm.info");
        try {
            return Optional.of(VmState.valueOf(info.path("state").asText()));
        } catch (IllegalArgumentException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR,
                    "the VMM of VM '" + vm + "' reports an unknown state: " + info.path("state"));
        }
    }

    void create(JsonNode config) {
        try {
            put("vm.create", JSON.writeValueAsString(config));
        } catch (JsonProcessingException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "cannot write the VM config of '" + vm + "'", e);
        }
    }

    void boot() {
        put("vm.boot", null);
    }

    /** Pulls the plug: CH stops the VM at once. */
    void shutdown() {
        put("vm.shutdown", null);
    }

    /** Presses the ACPI power button; the guest decides when it is off. */
    void powerButton() {
        put("vm.power-button", null);
    }

    void reboot() {
        put("vm.reboot", null);
    }

    void pause() {
        put("vm.pause", null);
    }

    void resume() {
        put("vm.resume", null);
    }

    void delete() {
        put("vm.delete", null);
    }

    /** Ends the VMM process itself. */
    void shutdownVmm() {
        put("vmm.shutdown", null);
    }

    /** Device name → counter name → value, as CH reports them. */
    JsonNode counters() {
        try {
            return json(http.send("GET", BASE + "vm.counters", null), "vm.counters");
        } catch (IOException e) {
            throw ChErrors.unreachable(vm, "vm.counters", e);
        }
    }

    private void put(String endpoint, String body) {
        UnixHttpClient.Response r;
        try {
            r = http.send("PUT", BASE + endpoint, body);
        } catch (IOException e) {
            throw ChErrors.unreachable(vm, endpoint, e);
        }
        if (!r.success()) {
            throw ChErrors.fromStatus(vm, endpoint, r.status(), r.body());
        }
    }

    private JsonNode json(UnixHttpClient.Response r, String endpoint) {
        if (!r.success()) {
            throw ChErrors.fromStatus(vm, endpoint, r.status(), r.body());
        }
        try {
            return JSON.readTree(r.body());
        } catch (JsonProcessingException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR,
                    "the VMM of VM '" + vm + "' answered " + endpoint + " with invalid JSON", e);
        }
    }
}
