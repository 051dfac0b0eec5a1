import io.quantix.api.Capability;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeSpec;
import io.quantix.api.spi.StorageBackend;
import io.quantix.storage.dir.internal.DirStorageBackend;
import io.quantix.storage.iscsi.internal.IscsiStorageBackend;
import io.quantix.storage.nfs.internal.NfsStorageBackend;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Times one storage backend's operations as a node calls them (every tool call and check included) on the pool the
 * arguments describe. Prints figures; asserts nothing.
 *   java -cp <classpath> StorageFigures.java <dir|nfs|iscsi> <runs> KEY=VALUE...
 */
public class StorageFigures {
    public static void main(String[] a) {
        String kind = a[0];
        int runs = Integer.parseInt(a[1]);
        Map<String, String> options = new HashMap<>();
        for (int i = 2; i < a.length; i++) {
            options.put(a[i].substring(0, a[i].indexOf('=')), a[i].substring(a[i].indexOf('=') + 1));
        }
        StoragePoolSpec pool = new StoragePoolSpec("bench", kind, options);
        StorageBackend backend = switch (kind) {
            case "dir" -> new DirStorageBackend();
            case "nfs" -> new NfsStorageBackend();
            case "iscsi" -> new IscsiStorageBackend();
            default -> throw new IllegalArgumentException(kind);
        };
        System.out.println("[" + kind + "] capabilities advertised: " + new TreeSet<>(backend.capabilities()));
        System.out.println("[" + kind + "] description: " + backend.description());
        System.out.printf("[%s] pool probe: %d ms%n", kind, time(() -> backend.probe(pool)));
        if (!backend.capabilities().contains(Capability.VOLUME_CLONE)) {
            System.out.printf("[%s] list volumes: %s%n", kind, figures(repeat(runs, () -> backend.volumes(pool))));
            try {
                backend.createVolume(pool, new VolumeSpec("bench", 10 * Validation.GIB, VolumeFormat.RAW));
            } catch (QuantixException e) {
                System.out.printf("[%s] create a 10 GiB volume: not offered (%s: %s)%n", kind, e.code(), e.getMessage());
            }
            System.out.printf("[%s] clone: not offered (capability VOLUME_CLONE not advertised)%n", kind);
            return;
        }
        // a qcow2 volume with 64 MiB written (the script makes the image), so that clones have data to copy or share
        try (var image = java.nio.file.Files.newInputStream(java.nio.file.Path.of(System.getProperty("bench.image")))) {
            backend.importVolume(pool, "bench-data", VolumeFormat.QCOW2, image, Validation.GIB);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        backend.createTemplate(pool, "bench-data", "bench-template");
        List<Long> create = new ArrayList<>();
        List<Long> clone = new ArrayList<>();
        List<Long> copy = new ArrayList<>();
        List<Long> fromTemplate = new ArrayList<>();
        Volume vmDisk = null;
        for (int i = 0; i < runs; i++) {
            String name = "bench-" + i;
            create.add(time(() -> backend.createVolume(pool, new VolumeSpec(name, 10 * Validation.GIB, VolumeFormat.QCOW2))));
            clone.add(time(() -> backend.cloneVolume(pool, name, name + "-clone")));
            copy.add(time(() -> backend.cloneVolume(pool, "bench-data", name + "-copy")));
            fromTemplate.add(time(() -> backend.cloneVolume(pool, "bench-template", name + "-vm")));
            vmDisk = backend.volumes(pool).stream().filter(v -> v.name().equals(name + "-vm")).findFirst().orElseThrow();
            for (String v : List.of(name + "-vm", name + "-copy", name + "-clone", name)) {
                backend.deleteVolume(pool, v);
            }
        }
        backend.deleteVolume(pool, "bench-template");
        backend.deleteVolume(pool, "bench-data");
        System.out.printf("[%s] create a 10 GiB qcow2 volume: %s%n", kind, figures(create));
        System.out.printf("[%s] clone it (full copy of an empty 10 GiB qcow2): %s%n", kind, figures(clone));
        System.out.printf("[%s] clone a volume holding 64 MiB (full copy): %s%n", kind, figures(copy));
        System.out.printf("[%s] VM disk from a template (copy-on-write qcow2 overlay): %s%n", kind, figures(fromTemplate));
        System.out.printf("[%s] that VM disk: capacity %d bytes, allocation %d bytes%n", kind, vmDisk.capacity(),
                vmDisk.allocation());
    }

    private static List<Long> repeat(int runs, Supplier<?> op) {
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            times.add(time(op));
        }
        return times;
    }

    private static long time(Supplier<?> op) {
        long start = System.nanoTime();
        op.get();
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static String figures(List<Long> millis) {
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        return String.format("median %d ms, min %d ms, max %d ms over %d runs", sorted.get(sorted.size() / 2),
                sorted.get(0), sorted.get(sorted.size() - 1), sorted.size());
    }
}
