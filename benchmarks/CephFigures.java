import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeSpec;
import io.quantix.storage.ceph.internal.CephStorageBackend;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Times the Ceph backend's operations as a node calls them (each one the rbd/ceph CLI calls it makes, checks
 * included) on the cluster named by the arguments. Prints figures; asserts nothing.
 *   java -cp <storage-ceph classpath> CephFigures.java <monitors> <rbdPool> <user> <keyring> <runs>
 */
public class CephFigures {
    public static void main(String[] a) {
        StoragePoolSpec pool = new StoragePoolSpec("bench", "ceph",
                Map.of("monitors", a[0], "rbdPool", a[1], "user", a[2], "keyring", a[3]));
        int runs = Integer.parseInt(a[4]);
        CephStorageBackend backend = new CephStorageBackend();
        System.out.println("capabilities advertised: " + new TreeSet<>(backend.capabilities()));
        System.out.println("description: " + backend.description());
        long probe = time(() -> backend.probe(pool));
        System.out.printf("pool probe: %d ms%n", probe);

        List<Long> create = new ArrayList<>();
        List<Long> clone = new ArrayList<>();
        List<Long> fromTemplate = new ArrayList<>();
        List<Long> delete = new ArrayList<>();
        // a volume with 64 MiB written, so the clones have data to share
        backend.importVolume(pool, "bench-data", VolumeFormat.RAW, new ByteArrayInputStream(new byte[64 << 20]),
                Validation.GIB);
        backend.createTemplate(pool, "bench-data", "bench-template");
        Volume last = null;
        for (int i = 0; i < runs; i++) {
            String name = "bench-" + i;
            create.add(time(() -> backend.createVolume(pool, new VolumeSpec(name, 10 * Validation.GIB, VolumeFormat.RAW))));
            clone.add(time(() -> backend.cloneVolume(pool, name, name + "-clone")));
            fromTemplate.add(time(() -> backend.cloneVolume(pool, "bench-template", name + "-vm")));
            last = backend.volumes(pool).stream().filter(v -> v.name().equals(name + "-clone")).findFirst().orElseThrow();
            delete.add(time(() -> {
                backend.deleteVolume(pool, name + "-vm");
                backend.deleteVolume(pool, name + "-clone");
                backend.deleteVolume(pool, name);
                return null;
            }));
        }
        backend.deleteVolume(pool, "bench-template");
        backend.deleteVolume(pool, "bench-data");
        System.out.printf("create a 10 GiB raw volume: %s%n", figures(create));
        System.out.printf("clone it (snapshot + protect + COW clone): %s%n", figures(clone));
        System.out.printf("VM disk from a template (COW clone): %s%n", figures(fromTemplate));
        System.out.printf("delete the three (clone, VM disk, volume): %s%n", figures(delete));
        System.out.printf("a clone of a 10 GiB volume: capacity %d bytes, allocation %d bytes%n", last.capacity(),
                last.allocation());
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
