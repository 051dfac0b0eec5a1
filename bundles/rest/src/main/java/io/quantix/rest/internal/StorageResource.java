package io.quantix.rest.internal;

import io.quantix.api.IsoImage;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePool;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Volume;
import io.quantix.api.Validation;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeSnapshot;
import io.quantix.api.VolumeSpec;
import io.quantix.api.service.StorageService;
import java.util.List;
import java.util.Locale;

/** {@code /pools}, their volumes and ISO images: a thin adapter over {@link StorageService}. */
final class StorageResource {
    /** The body of the endpoints that make a new object from a volume (clone, template, snapshot). */
    record NameRequest(String name) {
        NameRequest {
            Validation.required("name", name);
        }
    }

    record ResizeRequest(long sizeBytes) {
    }

    /** A REST upload has no bound of its own: the node's upload limit (the core's, for every API) applies. */
    private static final long NO_CLIENT_LIMIT = Long.MAX_VALUE;

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
                    return created(storage.createVolume(pool, c.body(VolumeSpec.class)));
                }),
                Route.secured("DELETE", "/pools/{name}/volumes/{volume}", c -> {
                    storage.deleteVolume(c.name("name", "pool"), c.name("volume", "volume"));
                    return Reply.noContent();
                }),
                Route.secured("POST", "/pools/{name}/volumes/{volume}/resize", c -> Reply.ok(storage.resizeVolume(
                        c.name("name", "pool"), c.name("volume", "volume"), c.body(ResizeRequest.class).sizeBytes()))),
                Route.secured("POST", "/pools/{name}/volumes/{volume}/clone", c -> {
                    String pool = c.name("name", "pool");
                    return created(storage.cloneVolume(pool, c.name("volume", "volume"), c.body(NameRequest.class).name()));
                }),
                Route.secured("POST", "/pools/{name}/volumes/{volume}/template", c -> {
                    String pool = c.name("name", "pool");
                    return created(storage.createTemplate(pool, c.name("volume", "volume"),
                            c.body(NameRequest.class).name()));
                }),
                Route.secured("PUT", "/pools/{name}/volumes/{volume}/image", c -> {
                    VolumeFormat format = c.query("format").map(StorageResource::format).orElse(VolumeFormat.QCOW2);
                    return created(storage.importVolume(c.name("name", "pool"), c.name("volume", "volume"), format,
                            c.stream(), NO_CLIENT_LIMIT));
                }),
                Route.secured("GET", "/pools/{name}/volumes/{volume}/snapshots", c -> Reply.ok(Page.of(
                        storage.volumeSnapshots(c.name("name", "pool"), c.name("volume", "volume")), c))),
                Route.secured("POST", "/pools/{name}/volumes/{volume}/snapshots", c -> {
                    String pool = c.name("name", "pool");
                    String volume = c.name("volume", "volume");
                    VolumeSnapshot taken = storage.snapshotVolume(pool, volume, c.body(NameRequest.class).name());
                    return Reply.created(volumePath(pool, volume) + "/snapshots/" + taken.name(), taken);
                }),
                Route.secured("DELETE", "/pools/{name}/volumes/{volume}/snapshots/{snapshot}", c -> {
                    storage.deleteVolumeSnapshot(c.name("name", "pool"), c.name("volume", "volume"),
                            c.name("snapshot", "volume snapshot"));
                    return Reply.noContent();
                }),
                // the ISO library
                Route.secured("GET", "/pools/{name}/isos", c -> Reply.ok(Page.of(storage.listIsos(c.name("name", "pool")), c))),
                Route.secured("PUT", "/pools/{name}/isos/{iso}", c -> {
                    IsoImage iso = storage.uploadIso(c.name("name", "pool"), c.name("iso", "ISO image"), c.stream(),
                            NO_CLIENT_LIMIT);
                    return Reply.created(RestServer.BASE + "/pools/" + iso.pool() + "/isos/" + iso.name(), iso);
                }),
                Route.secured("DELETE", "/pools/{name}/isos/{iso}", c -> {
                    storage.deleteIso(c.name("name", "pool"), c.name("iso", "ISO image"));
                    return Reply.noContent();
                }));
    }

    private static Reply created(Volume volume) {
        return Reply.created(volumePath(volume.ref().pool(), volume.ref().volume()), volume);
    }

    private static String volumePath(String pool, String volume) {
        return RestServer.BASE + "/pools/" + pool + "/volumes/" + volume;
    }

    private static VolumeFormat format(String value) {
        try {
            return VolumeFormat.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw QuantixException.invalid("format " + Validation.quote(value) + " is not one of "
                    + List.of(VolumeFormat.values()));
        }
    }
}
