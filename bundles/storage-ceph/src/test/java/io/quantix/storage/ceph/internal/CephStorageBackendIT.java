package io.quantix.storage.ceph.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.DiskSource;
import io.quantix.api.ErrorCode;
import io.quantix.api.PoolUsage;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeSnapshot;
import io.quantix.api.VolumeSpec;
import io.quantix.api.spi.HostCommand;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Ceph backend on a real one-node cluster (ceph-env.sh): what it says is checked against what the cluster's
 * admin sees with the rbd CLI.
 */
@Tag("ceph")
class CephStorageBackendIT {
    private static final long MIB = Validation.MIB;
    private static CephCluster cluster;
    private static StoragePoolSpec pool;
    private final CephStorageBackend backend = new CephStorageBackend();

    @TempDir
    Path tmp;

    @BeforeAll
    static void startCeph() throws Exception {
        cluster = CephCluster.start();
        pool = cluster.pool("qx-ceph-it");
    }

    /**
     * Every test leaves the RBD pool as it found it: empty, so each one can say exactly what is there. A clone
     * keeps its source, so a few rounds remove a clone before its source.
     */
    @AfterEach
    void poolIsEmptyAgain() {
        for (int round = 0; round < 4 && !backend.volumes(pool).isEmpty(); round++) {
            for (Volume v : backend.volumes(pool)) {
                try {
                    backend.deleteVolume(pool, v.name());
                } catch (QuantixException e) {
                    // a clone of it is still there: the next round gets it
                }
            }
        }
        assertEquals("[]", cluster.rbd("ls", "--format=json", "rbd").strip(), "images left on the cluster");
    }

    @Test
    void aProbeReachesTheClusterAndReportsItsSpace() {
        PoolUsage usage = backend.probe(pool);
        assertTrue(usage.capacity() > 10 * Validation.GIB, usage.toString());
        assertTrue(usage.available() > 0 && usage.available() <= usage.capacity(), usage.toString());
        assertEquals(usage.capacity(), usage.allocation() + usage.available());
    }

    @Test
    void unreachableMonitorsGiveAClearErrorWithinTheConnectTimeout() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        StoragePoolSpec nowhere = withOption("monitors", "127.0.0.1:" + closed);
        QuantixException e = assertThrows(QuantixException.class, () -> backend.probe(nowhere));
        assertEquals(ErrorCode.BACKEND_ERROR, e.code());
        assertTrue(e.getMessage().contains("cannot reach the Ceph monitors 127.0.0.1:" + closed), e.getMessage());
    }

    @Test
    void aPoolNamingAMissingRbdPoolOrUnknownUserIsRefused() {
        QuantixException missing = assertThrows(QuantixException.class,
                () -> backend.probe(withOption("rbdPool", "nosuch")));
        assertEquals(ErrorCode.NOT_FOUND, missing.code());
        assertTrue(missing.getMessage().contains("'nosuch' does not exist"), missing.getMessage());
        QuantixException stranger = assertThrows(QuantixException.class,
                () -> backend.probe(withOption("user", "stranger")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, stranger.code());
        assertTrue(stranger.getMessage().contains("client.stranger"), stranger.getMessage());
    }

    @Test
    void aVolumeIsARawRbdImageThatQemuOpensThroughTheNetworkWithThePoolsLogin() throws IOException {
        Volume created = backend.createVolume(pool, new VolumeSpec("disk1", 64 * MIB, VolumeFormat.RAW));

        assertEquals(64 * MIB, created.capacity());
        assertEquals(VolumeFormat.RAW, created.format());
        assertFalse(created.template());
        DiskSource.Network source = (DiskSource.Network) created.source();
        assertEquals(DiskSource.Protocol.RBD, source.protocol());
        assertEquals("rbd/disk1", source.name());
        assertEquals(List.of(new DiskSource.Host("127.0.0.1", port())), source.hosts());
        DiskSource.Credentials login = source.credentials().orElseThrow();
        assertEquals("quantix", login.user());
        assertEquals(pool.name(), login.id());
        assertEquals(keyOfQuantix(), login.secret().orElseThrow());
        assertFalse(created.toString().contains(keyOfQuantix()), "the key is never in toString");
        assertTrue(cluster.rbd("info", "--format=json", "rbd/disk1").contains("\"size\":" + 64 * MIB));
        assertEquals(List.of(created), backend.volumes(pool));
    }

    @Test
    void qcow2DuplicatesAndOversizedVolumesAreRefusedAndCreateNothing() {
        QuantixException qcow2 = assertThrows(QuantixException.class,
                () -> backend.createVolume(pool, new VolumeSpec("q", 64 * MIB, VolumeFormat.QCOW2)));
        assertEquals(ErrorCode.UNSUPPORTED, qcow2.code());
        assertTrue(qcow2.getMessage().contains("raw"), qcow2.getMessage());
        QuantixException huge = assertThrows(QuantixException.class,
                () -> backend.createVolume(pool, new VolumeSpec("huge", 60 * Validation.TIB, VolumeFormat.RAW)));
        assertEquals(ErrorCode.INSUFFICIENT_CAPACITY, huge.code());
        assertEquals(List.of(), backend.volumes(pool));

        backend.createVolume(pool, new VolumeSpec("d", 64 * MIB, VolumeFormat.RAW));
        QuantixException twice = assertThrows(QuantixException.class,
                () -> backend.createVolume(pool, new VolumeSpec("d", 128 * MIB, VolumeFormat.RAW)));
        assertEquals(ErrorCode.ALREADY_EXISTS, twice.code());
        assertEquals(64 * MIB, backend.volumes(pool).get(0).capacity());
    }

    @Test
    void aVolumeGrowsButNeverShrinksAndIsGoneWhenDeleted() {
        backend.createVolume(pool, new VolumeSpec("grow", 64 * MIB, VolumeFormat.RAW));
        assertEquals(200 * MIB, backend.resizeVolume(pool, "grow", 200 * MIB).capacity());
        assertTrue(cluster.rbd("info", "--format=json", "rbd/grow").contains("\"size\":" + 200 * MIB));
        QuantixException shrink = assertThrows(QuantixException.class, () -> backend.resizeVolume(pool, "grow", 100 * MIB));
        assertEquals(ErrorCode.INVALID_ARGUMENT, shrink.code());

        backend.deleteVolume(pool, "grow");
        assertEquals(List.of(), backend.volumes(pool));
        QuantixException again = assertThrows(QuantixException.class, () -> backend.deleteVolume(pool, "grow"));
        assertEquals(ErrorCode.NOT_FOUND, again.code());
    }

    @Test
    void aCloneSharesItsSourcesDataUntilWrittenAndKeepsTheSourceUntilItIsGone() {
        byte[] data = random(16 * MIB);
        Volume source = backend.importVolume(pool, "base", VolumeFormat.RAW, new ByteArrayInputStream(data), 64 * MIB);
        assertTrue(source.allocation() >= 16 * MIB, source.toString());

        Volume clone = backend.cloneVolume(pool, "base", "copy");

        assertEquals(source.capacity(), clone.capacity());
        assertTrue(clone.allocation() < MIB, "a copy-on-write clone takes almost nothing: " + clone);
        assertTrue(cluster.rbd("info", "--format=json", "rbd/copy").contains("\"image\":\"base\""), "rbd/base is its parent");
        assertArrayEquals(data, export("copy"), "the clone reads the source's data");
        QuantixException inUse = assertThrows(QuantixException.class, () -> backend.deleteVolume(pool, "base"));
        assertEquals(ErrorCode.CONFLICT, inUse.code());
        assertTrue(inUse.getMessage().contains("copy"), inUse.getMessage());
        assertEquals(List.of(), backend.volumeSnapshots(pool, "base"), "the clone's snapshot is the backend's own");

        backend.deleteVolume(pool, "copy");
        assertEquals("[]", cluster.rbd("snap", "ls", "--format=json", "rbd/base").strip(), "its snapshot went with it");
        backend.deleteVolume(pool, "base");
    }

    @Test
    void aTemplateIsAReadOnlyCopyThatVmDisksAreClonedFrom() {
        byte[] data = random(8 * MIB);
        backend.importVolume(pool, "golden", VolumeFormat.RAW, new ByteArrayInputStream(data), 64 * MIB);

        Volume template = backend.createTemplate(pool, "golden", "tpl");
        Volume disk = backend.cloneVolume(pool, "tpl", "vm-disk");

        assertTrue(template.template());
        assertTrue(template.allocation() >= 8 * MIB, "the template holds its own copy of the data: " + template);
        assertFalse(backend.volumes(pool).stream().filter(v -> v.name().equals("golden")).findFirst().orElseThrow()
                .template(), "the volume stays a volume");
        assertFalse(disk.template());
        assertTrue(disk.allocation() < MIB, disk.toString());
        assertTrue(cluster.rbd("info", "--format=json", "rbd/vm-disk").contains("\"snapshot\":\"_qx-template\""));
        assertArrayEquals(data, export("vm-disk"));
        backend.deleteVolume(pool, "golden");
        assertArrayEquals(data, export("vm-disk"), "the template does not depend on the volume it came from");

        QuantixException resize = assertThrows(QuantixException.class, () -> backend.resizeVolume(pool, "tpl", 64 * MIB));
        assertEquals(ErrorCode.CONFLICT, resize.code());
        QuantixException inUse = assertThrows(QuantixException.class, () -> backend.deleteVolume(pool, "tpl"));
        assertEquals(ErrorCode.CONFLICT, inUse.code());
        assertTrue(inUse.getMessage().contains("vm-disk"), inUse.getMessage());
        QuantixException taken = assertThrows(QuantixException.class, () -> backend.createTemplate(pool, "vm-disk", "tpl"));
        assertEquals(ErrorCode.ALREADY_EXISTS, taken.code());
        assertFalse(cluster.rbd("ls", "rbd").contains("_qx-part"), "no unfinished image is left");
    }

    @Test
    void volumeSnapshotsAreListedOldestFirstAndDeletedByName() {
        backend.createVolume(pool, new VolumeSpec("snappy", 64 * MIB, VolumeFormat.RAW));
        backend.snapshotVolume(pool, "snappy", "before");
        backend.snapshotVolume(pool, "snappy", "after");
        backend.cloneVolume(pool, "snappy", "snappy-clone");

        assertEquals(List.of("before", "after"), names(backend.volumeSnapshots(pool, "snappy")));
        QuantixException twice = assertThrows(QuantixException.class, () -> backend.snapshotVolume(pool, "snappy", "after"));
        assertEquals(ErrorCode.ALREADY_EXISTS, twice.code());
        backend.deleteVolumeSnapshot(pool, "snappy", "before");
        assertEquals(List.of("after"), names(backend.volumeSnapshots(pool, "snappy")));
        QuantixException missing = assertThrows(QuantixException.class,
                () -> backend.deleteVolumeSnapshot(pool, "snappy", "before"));
        assertEquals(ErrorCode.NOT_FOUND, missing.code());
        QuantixException internal = assertThrows(QuantixException.class,
                () -> backend.deleteVolumeSnapshot(pool, "snappy", "_qx-clone-snappy-clone"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, internal.code(), "the backend's own snapshots are out of reach");
    }

    @Test
    void aVolumesAllocationCountsTheDataItsSnapshotsKeep() {
        backend.importVolume(pool, "kept", VolumeFormat.RAW, new ByteArrayInputStream(random(4 * MIB)), 64 * MIB);
        backend.snapshotVolume(pool, "kept", "s1");

        Volume kept = backend.volumes(pool).get(0);
        assertTrue(kept.allocation() >= 4 * MIB, kept.toString());
    }

    @Test
    void importedImagesHoldExactlyTheStreamsData() throws IOException {
        byte[] data = random(5 * MIB + 17);
        Volume raw = backend.importVolume(pool, "raw-in", VolumeFormat.RAW, new ByteArrayInputStream(data), 64 * MIB);
        assertEquals(data.length, raw.capacity());
        assertArrayEquals(data, export("raw-in"));

        Path rawFile = tmp.resolve("d.raw");
        Files.write(rawFile, data);
        Path qcow2 = tmp.resolve("d.qcow2");
        HostCommand.run(List.of("qemu-img", "convert", "-f", "raw", "-O", "qcow2", rawFile.toString(), qcow2.toString()));
        try (InputStream in = Files.newInputStream(qcow2)) {
            backend.importVolume(pool, "qcow2-in", VolumeFormat.QCOW2, in, 64 * MIB);
        }
        byte[] converted = export("qcow2-in");
        assertArrayEquals(data, Arrays.copyOf(converted, data.length), "the qcow2's content, as raw");
    }

    @Test
    void anImportThatIsTooLargeBreaksOffOrNamesABackingFileLeavesNoImage() throws IOException {
        QuantixException large = assertThrows(QuantixException.class, () -> backend.importVolume(pool, "big",
                VolumeFormat.RAW, new ByteArrayInputStream(random(3 * MIB)), 2 * MIB));
        assertEquals(ErrorCode.INVALID_ARGUMENT, large.code());

        InputStream breaking = new InputStream() {
            private int left = 3 * (int) MIB;

            @Override
            public int read() throws IOException {
                if (left-- == 0) {
                    throw new IOException("connection reset by the test");
                }
                return 7;
            }
        };
        QuantixException broken = assertThrows(QuantixException.class,
                () -> backend.importVolume(pool, "broken", VolumeFormat.RAW, breaking, 64 * MIB));
        assertEquals(ErrorCode.INVALID_ARGUMENT, broken.code());
        assertTrue(broken.getMessage().contains("broke off"), broken.getMessage());

        Path backed = tmp.resolve("backed.qcow2");
        HostCommand.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-b", "/etc/hostname", "-F", "raw",
                backed.toString()));
        try (InputStream in = Files.newInputStream(backed)) {
            QuantixException leak = assertThrows(QuantixException.class,
                    () -> backend.importVolume(pool, "leak", VolumeFormat.QCOW2, in, 64 * MIB));
            assertEquals(ErrorCode.INVALID_ARGUMENT, leak.code());
        }
        assertEquals(List.of(), backend.volumes(pool));
        assertFalse(cluster.rbd("ls", "rbd").contains("_qx-part"), "no unfinished image is left");
    }

    private static StoragePoolSpec withOption(String key, String value) {
        Map<String, String> options = new HashMap<>(pool.options());
        options.put(key, value);
        return new StoragePoolSpec(pool.name(), pool.backend(), options);
    }

    private static int port() {
        String monitors = pool.options().get("monitors");
        return Integer.parseInt(monitors.substring(monitors.lastIndexOf(':') + 1));
    }

    private static String keyOfQuantix() {
        return cluster.ceph("auth", "get-key", "client.quantix").strip();
    }

    /** The image's bytes as the cluster's admin reads them. */
    private byte[] export(String image) {
        Path out = tmp.resolve(image + ".export");
        cluster.rbd("export", "--no-progress", "rbd/" + image, out.toString());
        try {
            return Files.readAllBytes(out);
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            out.toFile().delete();
        }
    }

    private static byte[] random(long size) {
        byte[] data = new byte[(int) size];
        new Random(size).nextBytes(data);
        return data;
    }

    private static List<String> names(List<VolumeSnapshot> snapshots) {
        return snapshots.stream().map(VolumeSnapshot::name).toList();
    }
}
