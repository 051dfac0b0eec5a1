package io.quantix.storage.dir.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantix.api.DiskSource;
import io.quantix.api.ErrorCode;
import io.quantix.api.PoolUsage;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeSpec;
import io.quantix.api.spi.HostCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class DirStorageBackendTest {
    private static final long MIB = Validation.MIB;

    @TempDir
    Path tmp;

    private final DirStorageBackend backend = new DirStorageBackend();

    @Test
    void createsQcow2AndRawVolumesThatQemuImgRecognises() throws Exception {
        StoragePoolSpec pool = probedPool(Map.of());
        Volume disk = backend.createVolume(pool, new VolumeSpec("disk", 64 * MIB, VolumeFormat.QCOW2));
        Volume data = backend.createVolume(pool, new VolumeSpec("data", 32 * MIB, VolumeFormat.RAW));

        assertImage(dir(pool).resolve("disk.qcow2"), "qcow2", 64 * MIB);
        assertImage(dir(pool).resolve("data.raw"), "raw", 32 * MIB);
        assertEquals(64 * MIB, disk.capacity());
        assertEquals(new DiskSource.File(dir(pool).resolve("disk.qcow2").toString()), disk.source());
        assertEquals(VolumeFormat.RAW, data.format());
        assertTrue(data.allocation() < data.capacity(), "raw volumes are sparse: " + data);
    }

    @Test
    void aPoolNeverProbedGetsItsDirectoryWithItsFirstVolume() throws Exception {
        Path dir = tmp.resolve("fresh").resolve("pool");
        StoragePoolSpec pool = pool(Map.of("path", dir.toString()));

        backend.createVolume(pool, new VolumeSpec("first", 8 * MIB, VolumeFormat.QCOW2));

        assertImage(dir.resolve("first.qcow2"), "qcow2", 8 * MIB);
    }

    @Test
    void listShowsExactlyTheVolumes() throws Exception {
        StoragePoolSpec pool = probedPool(Map.of());
        backend.createVolume(pool, new VolumeSpec("b", 8 * MIB, VolumeFormat.RAW));
        backend.createVolume(pool, new VolumeSpec("a", 8 * MIB, VolumeFormat.QCOW2));
        for (String stray : List.of("notes.txt", ".a.0123.part", "bad name.raw", "image.vmdk", "qcow2")) {
            Files.writeString(dir(pool).resolve(stray), "x");
        }
        Files.createDirectory(dir(pool).resolve("folder.raw"));

        List<Volume> volumes = backend.volumes(pool);

        assertEquals(List.of("a", "b"), volumes.stream().map(Volume::name).toList());
        assertEquals(List.of(VolumeFormat.QCOW2, VolumeFormat.RAW), volumes.stream().map(Volume::format).toList());
        assertTrue(volumes.stream().allMatch(v -> v.ref().pool().equals("pool1") && v.capacity() == 8 * MIB));
    }

    @Test
    void duplicateNameIsRefusedAndTheExistingFileUntouched() throws Exception {
        StoragePoolSpec pool = probedPool(Map.of());
        backend.createVolume(pool, new VolumeSpec("disk", 16 * MIB, VolumeFormat.QCOW2));
        Path file = dir(pool).resolve("disk.qcow2");
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_000_000_000_000L));
        byte[] bytes = Files.readAllBytes(file);

        for (VolumeFormat format : VolumeFormat.values()) {
            assertCode(ErrorCode.ALREADY_EXISTS,
                    () -> backend.createVolume(pool, new VolumeSpec("disk", 32 * MIB, format)));
        }

        assertArrayEquals(bytes, Files.readAllBytes(file));
        assertEquals(FileTime.fromMillis(1_000_000_000_000L), Files.getLastModifiedTime(file));
        assertEquals(List.of("disk.qcow2"), entries(pool));
    }

    @Test
    void concurrentCreatesOfOneNameLeaveOneFile() throws Exception {
        StoragePoolSpec pool = probedPool(Map.of());
        ExecutorService executor = Executors.newFixedThreadPool(8);
        try {
            List<Future<Volume>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                VolumeFormat format = VolumeFormat.values()[i % 2];
                Callable<Volume> create = () -> backend.createVolume(pool, new VolumeSpec("race", 8 * MIB, format));
                results.add(executor.submit(create));
            }
            int created = 0;
            for (Future<Volume> result : results) {
                try {
                    result.get();
                    created++;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertEquals(ErrorCode.ALREADY_EXISTS, ((QuantixException) e.getCause()).code());
                }
            }
            assertEquals(1, created);
            assertEquals(1, entries(pool).size(), entries(pool).toString());
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void volumeLargerThanTheQuotaIsRefusedWithoutLeavingAFile() throws Exception {
        StoragePoolSpec pool = probedPool(Map.of("capacity", "64M"));

        assertCode(ErrorCode.INSUFFICIENT_CAPACITY,
                () -> backend.createVolume(pool, new VolumeSpec("big", 65 * MIB, VolumeFormat.RAW)));

        assertEquals(List.of(), entries(pool));
        backend.createVolume(pool, new VolumeSpec("fits", 64 * MIB, VolumeFormat.RAW));
    }

    @Test
    void resizeGrowsAndRefusesToShrinkOrOutgrowThePool() throws Exception {
        StoragePoolSpec pool = probedPool(Map.of("capacity", "100M"));
        backend.createVolume(pool, new VolumeSpec("disk", 16 * MIB, VolumeFormat.QCOW2));
        backend.createVolume(pool, new VolumeSpec("data", 16 * MIB, VolumeFormat.RAW));
        Path file = dir(pool).resolve("disk.qcow2");

        assertEquals(32 * MIB, backend.resizeVolume(pool, "disk", 32 * MIB).capacity());
        assertEquals(48 * MIB, backend.resizeVolume(pool, "data", 48 * MIB).capacity());
        assertImage(file, "qcow2", 32 * MIB);
        assertImage(dir(pool).resolve("data.raw"), "raw", 48 * MIB);

        byte[] bytes = Files.readAllBytes(file);
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.resizeVolume(pool, "disk", 16 * MIB));
        assertCode(ErrorCode.INSUFFICIENT_CAPACITY, () -> backend.resizeVolume(pool, "disk", 101 * MIB));
        assertArrayEquals(bytes, Files.readAllBytes(file));
        assertImage(file, "qcow2", 32 * MIB);
        assertEquals(32 * MIB, backend.resizeVolume(pool, "disk", 32 * MIB).capacity());
        assertCode(ErrorCode.NOT_FOUND, () -> backend.resizeVolume(pool, "missing", 32 * MIB));
    }

    @Test
    void deleteRemovesTheFileOnce() throws Exception {
        StoragePoolSpec pool = probedPool(Map.of());
        backend.createVolume(pool, new VolumeSpec("disk", 8 * MIB, VolumeFormat.RAW));

        backend.deleteVolume(pool, "disk");

        assertEquals(List.of(), entries(pool));
        assertEquals(List.of(), backend.volumes(pool));
        assertCode(ErrorCode.NOT_FOUND, () -> backend.deleteVolume(pool, "disk"));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.deleteVolume(pool, "../disk"));
    }

    @Test
    void invalidOptionsAreRefusedBeforeAnyDirectoryIsMade() {
        Path inside = tmp.resolve("inside");
        assertInvalidOptions(Map.of("path", "relative-pool"), "path");
        assertInvalidOptions(Map.of("path", inside + "/../outside"), "path");
        assertInvalidOptions(Map.of("path", inside + "/./x"), "path");
        assertInvalidOptions(Map.of("path", inside.toString(), "size", "1G"), "'size'");
        assertInvalidOptions(Map.of("path", inside.toString(), "capacity", "20X"), "capacity");
        assertInvalidOptions(Map.of("path", inside.toString(), "capacity", "0"), "capacity");
        assertInvalidOptions(Map.of("path", inside.toString(), "capacity", "99999999T"), "capacity");

        assertFalse(Files.exists(Path.of("relative-pool")));
        assertFalse(Files.exists(inside));
        assertFalse(Files.exists(tmp.resolve("outside")));
    }

    @Test
    void probeCreatesTheDirectoryAndMeasuresConsistently() throws Exception {
        StoragePoolSpec pool = pool(Map.of("path", tmp.resolve("a/b/pool").toString(), "capacity", "1G"));
        PoolUsage empty = backend.probe(pool);
        assertTrue(Files.isDirectory(dir(pool)));
        long fsTotal = Files.getFileStore(tmp).getTotalSpace();
        assertEquals(Math.min(fsTotal, Validation.GIB), empty.capacity());
        assertEquals(0, empty.allocation());

        backend.createVolume(pool, new VolumeSpec("disk", 512 * MIB, VolumeFormat.QCOW2));
        Files.write(dir(pool).resolve("notes.txt"), new byte[4096]);
        PoolUsage used = backend.probe(pool);
        assertEquals(backend.volumes(pool).get(0).allocation(), used.allocation());
        assertTrue(used.allocation() > 0 && used.allocation() <= used.capacity(), used.toString());
        assertTrue(used.available() <= used.capacity() - used.allocation(), used.toString());
        assertTrue(used.available() <= Files.getFileStore(tmp).getUsableSpace(), used.toString());

        PoolUsage overQuota = backend.probe(pool(Map.of("path", dir(pool).toString(), "capacity", "1K")));
        assertEquals(1024, overQuota.capacity());
        assertEquals(0, overQuota.available());
    }

    @Test
    void probeUsesTheNodeDataDirectoryByDefault() {
        System.setProperty("quantix.data.dir", tmp.resolve("data").toString());
        try {
            backend.probe(pool(Map.of()));
            assertTrue(Files.isDirectory(tmp.resolve("data/pools/pool1")));
        } finally {
            System.clearProperty("quantix.data.dir");
        }
    }

    @Test
    void aRegularFileIsNotAPool() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "keep");
        StoragePoolSpec pool = pool(Map.of("path", file.toString()));

        QuantixException e = assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.probe(pool));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.volumes(pool));
        assertEquals("keep", Files.readString(file));
    }

    @Test
    void describesItself() {
        assertEquals("directory pools with qemu-img", backend.description());
        assertEquals(java.util.Set.of(io.quantix.api.Capability.QCOW2, io.quantix.api.Capability.RAW,
                io.quantix.api.Capability.VOLUME_RESIZE, io.quantix.api.Capability.THIN_PROVISIONING,
                io.quantix.api.Capability.VOLUME_CLONE, io.quantix.api.Capability.TEMPLATES,
                io.quantix.api.Capability.VOLUME_SNAPSHOT, io.quantix.api.Capability.IMAGE_IMPORT,
                io.quantix.api.Capability.ISO_LIBRARY), backend.capabilities());
    }

    private StoragePoolSpec probedPool(Map<String, String> options) {
        Map<String, String> all = new java.util.HashMap<>(options);
        all.put("path", tmp.resolve("pool").toString());
        StoragePoolSpec pool = pool(all);
        backend.probe(pool);
        return pool;
    }

    private static StoragePoolSpec pool(Map<String, String> options) {
        return new StoragePoolSpec("pool1", "dir", options);
    }

    private static Path dir(StoragePoolSpec pool) {
        return DirPoolOptions.of(pool).directory();
    }

    private static List<String> entries(StoragePoolSpec pool) throws Exception {
        try (Stream<Path> files = Files.list(dir(pool))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private void assertInvalidOptions(Map<String, String> options, String named) {
        QuantixException e = assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.probe(pool(options)));
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }

    /** Asks qemu-img itself, letting it probe the format, rather than trusting the backend's answer. */
    private static void assertImage(Path file, String format, long virtualSize) throws Exception {
        JsonNode info = new ObjectMapper().readTree(
                HostCommand.run(List.of("qemu-img", "info", "--output=json", file.toString())));
        assertEquals(format, info.path("format").asText());
        assertEquals(virtualSize, info.path("virtual-size").asLong());
    }

    private static QuantixException assertCode(ErrorCode code, Executable call) {
        QuantixException e = assertThrows(QuantixException.class, call);
        assertEquals(code, e.code(), e.toString());
        return e;
    }
}
