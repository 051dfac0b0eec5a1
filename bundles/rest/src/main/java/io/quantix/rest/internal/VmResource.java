package io.quantix.rest.internal;

import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.Snapshot;
import io.quantix.api.Vm;
import io.quantix.api.VolumeRef;
import io.quantix.api.agent.GuestInterface;
import io.quantix.api.service.GuestAgentService;
import io.quantix.api.service.VmService;
import io.quantix.rest.internal.VmChangeRequests.ConsoleRequest;
import io.quantix.rest.internal.VmChangeRequests.MediaRequest;
import io.quantix.rest.internal.VmChangeRequests.MigrationRequest;
import io.quantix.rest.internal.VmChangeRequests.SnapshotRequest;
import io.quantix.rest.internal.VmChangeRequests.TagsRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
    private final GuestAgentService agents;
    private final IdempotencyStore idempotency;
    private final Migrations migrations;

    VmResource(VmService vms, GuestAgentService agents, IdempotencyStore idempotency, Migrations migrations) {
        this.vms = vms;
        this.agents = agents;
        this.idempotency = idempotency;
        this.migrations = migrations;
    }

    List<Route> routes() {
        return List.of(
                Route.secured("GET", "/vms", this::list),
                Route.secured("POST", "/vms", this::create),
                Route.secured("GET", "/vms/{name}", c -> {
                    Vm vm = vms.get(c.name("name", "VM"));
                    return Reply.ok(VmView.of(vm, agents.lastInterfaces()))
                            .withHeader("ETag", "\"" + vm.version() + "\"");
                }),
                Route.secured("DELETE", "/vms/{name}", c -> {
                    vms.delete(c.name("name", "VM"), c.booleanQuery("deleteVolumes", false));
                    return Reply.noContent();
                }),
                Route.secured("POST", "/vms/{name}/power", c -> {
                    String name = c.name("name", "VM");
                    return Reply.ok(vms.power(name, c.body(PowerRequest.class).action()));
                }),
                Route.secured("GET", "/vms/{name}/metrics", c -> Reply.ok(vms.metrics(c.name("name", "VM")))),
                Route.secured("POST", "/vms/{name}/console", c -> Reply.ok(
                        vms.console(c.name("name", "VM"), c.body(ConsoleRequest.class).type()))),
                // snapshots
                Route.secured("GET", "/vms/{name}/snapshots",
                        c -> Reply.ok(Page.of(vms.snapshots(c.name("name", "VM")), c))),
                Route.secured("POST", "/vms/{name}/snapshots", c -> {
                    String name = c.name("name", "VM");
                    Snapshot taken = vms.snapshot(name, c.body(SnapshotRequest.class).toSpec());
                    return Reply.created(vmPath(name) + "/snapshots/" + taken.name(), taken);
                }),
                Route.secured("POST", "/vms/{name}/snapshots/{snapshot}/revert",
                        c -> Reply.ok(vms.revert(c.name("name", "VM"), c.name("snapshot", "snapshot")))),
                Route.secured("DELETE", "/vms/{name}/snapshots/{snapshot}", c -> {
                    vms.deleteSnapshot(c.name("name", "VM"), c.name("snapshot", "snapshot"));
                    return Reply.noContent();
                }),
                // hot-plug
                Route.secured("POST", "/vms/{name}/disks", c -> Reply.ok(
                        vms.attachDisk(c.name("name", "VM"), c.body(VmCreateRequest.DiskRequest.class).toSpec()))),
                Route.secured("DELETE", "/vms/{name}/disks/{pool}/{volume}", c -> Reply.ok(
                        vms.detachDisk(c.name("name", "VM"), new VolumeRef(c.name("pool", "pool"),
                                c.name("volume", "volume")), c.booleanQuery("deleteVolume", false)))),
                Route.secured("POST", "/vms/{name}/nics", c -> Reply.ok(
                        vms.attachNic(c.name("name", "VM"), c.body(VmCreateRequest.NicRequest.class).toSpec()))),
                Route.secured("DELETE", "/vms/{name}/nics/{port}",
                        c -> Reply.ok(vms.detachNic(c.name("name", "VM"), c.name("port", "port")))),
                Route.secured("PUT", "/vms/{name}/media", c -> Reply.ok(
                        vms.changeMedia(c.name("name", "VM"), Optional.ofNullable(c.body(MediaRequest.class).iso())))),
                Route.secured("PUT", "/vms/{name}/tags", c -> Reply.ok(
                        vms.retag(c.name("name", "VM"), c.body(TagsRequest.class).tags()))),
                // migration: started here, polled, cancelled
                Route.secured("POST", "/vms/{name}/migration", c -> {
                    String name = c.name("name", "VM");
                    Migrations.Status status = migrations.start(name, c.body(MigrationRequest.class).toSpec());
                    return new Reply(202, Json.write(status), Map.of("Location", vmPath(name) + "/migration"));
                }),
                Route.secured("GET", "/vms/{name}/migration",
                        c -> Reply.ok(migrations.status(c.name("name", "VM")))),
                Route.secured("DELETE", "/vms/{name}/migration", c -> {
                    vms.cancelMigration(c.name("name", "VM"));
                    return Reply.noContent();
                }));
    }

    private static String vmPath(String name) {
        return RestServer.BASE + "/vms/" + name;
    }

    private Reply list(Call call) {
        Optional<PowerState> state = call.query("state").map(VmResource::state);
        Map<String, List<GuestInterface>> guests = agents.lastInterfaces();
        return Reply.ok(Page.of(vms.list(state, call.query("tag")), call).map(vm -> VmView.of(vm, guests)));
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
        return Reply.created(vmPath(vm.name()), vm);
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
