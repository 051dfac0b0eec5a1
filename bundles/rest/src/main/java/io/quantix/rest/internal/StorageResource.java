package io.quantix.rest.internal;

import io.quantix.api.StoragePool;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Volume;
import io.quantix.api.VolumeSpec;
import io.quantix.api.service.StorageService;
import java.util.List;

/** {@code /pools} and their volumes: a thin adapter over {@link StorageService}. */
final class StorageResource {
    private final StorageService storage;

    StorageResource(StorageService storage) {
        this.storage = storage;
    }

    List<Route> routes() {
        return List.of(
                Route.secured("GET", "/pools", c -> Reply.ok(Page.of(storage.listPools(), c))),
                Route.secured("POST", "/pools", c -> {
                    StoragePool pool = storage.createPool(c.body(StoragePoolSpec.class));
                    return Reply.created(RestServer.BASE + "/pools/" + pool.spec().name(), pool);
                }),
                Route.secured("GET", "/pools/{name}", c -> Reply.ok(storage.getPool(c.name("name", "pool")))),
                Route.secured("DELETE", "/pools/{name}", c -> {
                    storage.deletePool(c.name("name", "pool"));
                    return Reply.noContent();
                }),
                Route.secured("GET", "/pools/{name}/volumes",
                        c -> Reply.ok(Page.of(storage.listVolumes(c.name("name", "pool")), c))),
                Route.secured("POST", "/pools/{name}/volumes", c -> {
                    String pool = c.name("name", "pool");
                    Volume volume = storage.createVolume(pool, c.body(VolumeSpec.class));
                    return Reply.created(RestServer.BASE + "/pools/" + pool + "/volumes/" + volume.ref().volume(), volume);
                }),
                Route.secured("DELETE", "/pools/{name}/volumes/{volume}", c -> {
                    storage.deleteVolume(c.name("name", "pool"), c.name("volume", "volume"));
                    return Reply.noContent();
                }));
    }
}
