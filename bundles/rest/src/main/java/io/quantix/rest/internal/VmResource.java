package io.quantix.rest.internal;

import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.service.VmService;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** {@code /vms}: a thin adapter over {@link VmService}. */
final class VmResource {
    /** The body of {@code POST /vms/{name}/power}. */
    record PowerRequest(PowerAction action) {
        PowerRequest {
            Validation.required("action", action);
        }
    }

    private final VmService vms;
    private final IdempotencyStore idempotency;

    VmResource(VmService vms, IdempotencyStore idempotency) {
        this.vms = vms;
        this.idempotency = idempotency;
    }

    List<Route> routes() {
        return List.of(
                Route.secured("GET", "/vms", this::list),
                Route.secured("POST", "/vms", this::create),
                Route.secured("GET", "/vms/{name}", c -> Reply.ok(vms.get(c.name("name", "VM")))),
                Route.secured("DELETE", "/vms/{name}", c -> {
                    vms.delete(c.name("name", "VM"), c.booleanQuery("deleteVolumes", false));
                    return Reply.noContent();
                }),
                Route.secured("POST", "/vms/{name}/power", c -> {
                    String name = c.name("name", "VM");
                    return Reply.ok(vms.power(name, c.body(PowerRequest.class).action()));
                }),
                Route.secured("GET", "/vms/{name}/metrics", c -> Reply.ok(vms.metrics(c.name("name", "VM")))));
    }

    private Reply list(Call call) {
        Optional<PowerState> state = call.query("state").map(VmResource::state);
        Optional<String> tag = call.query("tag").map(t -> Validation.name("tag", t));
        List<Vm> matching = vms.list().stream()
                .filter(vm -> state.map(s -> vm.state() == s).orElse(true))
                .filter(vm -> tag.map(t -> vm.spec().tags().contains(t)).orElse(true))
                .sorted(Comparator.comparing(Vm::name))
                .toList();
        return Reply.ok(Page.of(matching, call));
    }

    private Reply create(Call call) {
        boolean start = call.booleanQuery("start", false);
        Optional<String> key = call.header("Idempotency-Key");
        if (key.isEmpty()) {
            return created(call, start);
        }
        // the key covers the query too: the same body with and without ?start=true is a different request
        byte[] request = (start + "\n" + new String(call.bodyBytes(), java.nio.charset.StandardCharsets.UTF_8))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return idempotency.execute(call.session().username(), key.get(), request, () -> created(call, start));
    }

    private Reply created(Call call, boolean start) {
        Vm vm = vms.create(call.body(VmCreateRequest.class).toSpec(), start);
        return Reply.created(RestServer.BASE + "/vms/" + vm.name(), vm);
    }

    private static PowerState state(String value) {
        try {
            return PowerState.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw QuantixException.invalid("state " + Validation.quote(value) + " is not one of "
                    + List.of(PowerState.values()));
        }
    }
}
