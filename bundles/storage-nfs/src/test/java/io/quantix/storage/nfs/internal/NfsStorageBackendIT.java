package io.quantix.storage.nfs.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.AttachedDisk;
import io.quantix.api.Capability;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.IsoImage;
import io.quantix.api.PoolUsage;
import io.quantix.api.PowerAction;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import io.quantix.api.VolumeSnapshot;
import io.quantix.api.VolumeSpec;
import io.quantix.api.spi.HostCommand;
import io.quantix.hypervisor.libvirt.internal.LibvirtBackend;
import io.quantix.hypervisor.libvirt.internal.RealLibvirt;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The nfs backend against a real nfs-ganesha on 127.0.0.1, and a real QEMU guest booting from an NFS volume. The
 * server is shared; each test gets a pool (a folder of the export) of its own and makes the volumes it needs.
 */
class NfsStorageBackendIT {
    private static final long MIB = Validation.MIB;
    private static final String GUEST = "qx-st-nfs-guest";
    private static final AtomicInteger POOLS = new AtomicInteger();
    private static NfsServer server;
    private final NfsStorageBackend backend = new NfsStorageBackend();
    private StoragePoolSpec pool;
    private Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = NfsServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @BeforeEach
    void ownPool() throws IOException {
        String name = "p" + POOLS.incrementAndGet();
        dir = Files.createDirectories(server.export.resolve("pools").resolve(name));
        pool = new StoragePoolSpec(name, "nfs", Map.of("server", "127.0.0.1", "export", server.export.toString(),
                "path", "pools/" + name));
    }

    @Test
    void probeMeasuresTheExportAndRefusesBadPools() {
        PoolUsage usage = backend.probe(pool);

        assertTrue(usage.capacity() > 0 && usage.available() > 0 && usage.available() <= usage.capacity(), usage.toString());
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.probe(new StoragePoolSpec("p2", "nfs",
                Map.of("server", "127.0.0.1", "export", server.export.toString(), "path", "no/such/folder"))));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.probe(new StoragePoolSpec("p2", "nfs",
                Map.of("server", "127.0.0.1", "export", server.export + "/../etc"))));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.probe(new StoragePoolSpec("p2", "nfs",
                Map.of("server", "127.0.0.1"))));
        QuantixException notExported = assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.probe(new StoragePoolSpec("p2",
                "nfs", Map.of("server", "127.0.0.1", "export", "/var/lib"))));
        assertTrue(notExported.getMessage().contains("refuses to mount"), notExported.getMessage());
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.probe(new StoragePoolSpec("p2", "nfs",
                Map.of("server", "nfs.invalid", "export", "/x"))));
        assertFalse(Files.exists(server.export.resolve("no")), "a refused pool creates nothing");
    }

    @Test
    void volumesAreFilesOnTheExportMadeWithQemuImg() {
        Volume root = backend.createVolume(pool, new VolumeSpec("root", 64 * MIB, VolumeFormat.QCOW2));
        Volume data = backend.createVolume(pool, new VolumeSpec("data", 32 * MIB, VolumeFormat.RAW));

        assertEquals(new DiskSource.Network(DiskSource.Protocol.NFS, dir.resolve("root.qcow2").toString(),
                List.of(new DiskSource.Host("127.0.0.1", 0)), java.util.Optional.empty()), root.source());
        assertEquals(64 * MIB, root.capacity());
        assertEquals("qcow2", format(dir.resolve("root.qcow2")));
        assertEquals("raw", format(dir.resolve("data.raw")));
        assertEquals(List.of("data", "root"), names());
        assertEquals(List.of("data.raw", "root.qcow2"), files(dir), "no temporary file is left");
        assertCode(ErrorCode.ALREADY_EXISTS, () -> backend.createVolume(pool, new VolumeSpec("root", MIB, VolumeFormat.RAW)));

        backend.resizeVolume(pool, "data", 48 * MIB);
        assertEquals(48 * MIB, backend.volumes(pool).stream().filter(v -> v.name().equals("data")).findFirst()
                .orElseThrow().capacity());
        backend.deleteVolume(pool, "data");
        assertEquals(List.of("root"), names());
        assertCode(ErrorCode.NOT_FOUND, () -> backend.deleteVolume(pool, "data"));
    }

    @Test
    void templatesClonesAndSnapshots() {
        backend.createVolume(pool, new VolumeSpec("root", 64 * MIB, VolumeFormat.QCOW2));
        // written through the server, as a guest would: ganesha caches attributes, so a write behind its back may not be seen
        HostCommand.run(List.of("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 2M", "nfs://127.0.0.1" + dir.resolve("root.qcow2")));
        Volume template = backend.createTemplate(pool, "root", "golden");
        Volume clone = backend.cloneVolume(pool, "golden", "vm1");
        Volume copy = backend.cloneVolume(pool, "root", "root-copy");

        assertTrue(template.template());
        assertEquals(0444, mode(dir.resolve("templates/golden.qcow2")));
        assertTrue(clone.allocation() < MIB, "copy-on-write: " + clone);
        HostCommand.run(List.of("qemu-img", "compare", "-q", dir.resolve("root.qcow2").toString(),
                dir.resolve("vm1.qcow2").toString()));
        HostCommand.run(List.of("qemu-img", "compare", "-q", dir.resolve("root.qcow2").toString(),
                dir.resolve("root-copy.qcow2").toString()));
        assertCode(ErrorCode.CONFLICT, () -> backend.deleteVolume(pool, "golden"));

        backend.snapshotVolume(pool, "vm1", "s1");
        assertEquals(List.of(new VolumeSnapshot(new VolumeRef(pool.name(), "vm1"), "s1")), backend.volumeSnapshots(pool, "vm1"));
        backend.deleteVolumeSnapshot(pool, "vm1", "s1");
        assertEquals(List.of(), backend.volumeSnapshots(pool, "vm1"));
        backend.deleteVolume(pool, "root-copy");
    }

    @Test
    void importsAndIsos() throws IOException {
        Path image = server.dir.resolve("upload.qcow2");
        HostCommand.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "16M"));
        Volume imported = backend.importVolume(pool, "imported", VolumeFormat.QCOW2, Files.newInputStream(image), 64 * MIB);
        assertEquals(16 * MIB, imported.capacity());

        Path evil = server.dir.resolve("evil.qcow2");
        HostCommand.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-b", "/etc/hostname", "-F", "raw", evil.toString()));
        assertCode(ErrorCode.INVALID_ARGUMENT,
                () -> backend.importVolume(pool, "evil", VolumeFormat.QCOW2, Files.newInputStream(evil), 64 * MIB));

        byte[] iso = new byte[2 * 1024 * 1024];
        iso[100] = 7;
        IsoImage uploaded = backend.uploadIso(pool, "tools.iso", new ByteArrayInputStream(iso), 4 * MIB);
        assertEquals(iso.length, uploaded.sizeBytes());
        assertEquals(List.of(uploaded), backend.isos(pool));
        assertEquals(iso.length, Files.size(dir.resolve("isos/tools.iso")));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.uploadIso(pool, "broken.iso", breaksAfter(iso), 4 * MIB));
        assertCode(ErrorCode.INVALID_ARGUMENT,
                () -> backend.uploadIso(pool, "huge.iso", new ByteArrayInputStream(iso), MIB));
        assertCode(ErrorCode.INVALID_ARGUMENT,
                () -> backend.uploadIso(pool, "../escape.iso", new ByteArrayInputStream(iso), 4 * MIB));
        assertEquals(List.of("tools.iso"), files(dir.resolve("isos")), "failed uploads leave nothing");
        backend.deleteIso(pool, "tools.iso");
        assertEquals(List.of(), backend.isos(pool));
        assertEquals(List.of("imported"), names());
        assertFalse(files(dir).stream().anyMatch(f -> f.startsWith(".")), files(dir).toString());
    }

    /**
     * The guest's disk is the copy-on-write clone of a template: QEMU reads both over its own NFS client. While it
     * runs, its disk grows online and an ISO of the pool goes into its CD-ROM.
     */
    @Test
    void aGuestBootsWithItsDiskOnAnNfsClone() throws Exception {
        LibvirtBackend libvirt = RealLibvirt.open();
        try {
            RealLibvirt.remove(libvirt, GUEST);
            backend.createVolume(pool, new VolumeSpec("root", 64 * MIB, VolumeFormat.QCOW2));
            backend.createTemplate(pool, "root", "golden");
            Volume disk = backend.cloneVolume(pool, "golden", "vm1");
            VmSpec spec = VmSpec.builder(GUEST).memoryMiB(256).disk(DiskSpec.of(pool.name(), 64 * MIB))
                    .directBoot(RealLibvirt.watchingPartitions()).build();
            Vm vm = libvirt.define(UUID.randomUUID().toString(), spec,
                    List.of(new AttachedDisk(disk.ref(), disk.source(), disk.format(), DiskBus.VIRTIO)), List.of());
            libvirt.power(GUEST, PowerAction.START);
            RealLibvirt.await("the guest sees its NFS disk", Duration.ofSeconds(90), vm,
                    () -> RealLibvirt.partitions(vm).contains("vda"));
            assertEquals(List.of(disk.ref()), libvirt.find(GUEST).orElseThrow().disks().stream()
                    .map(AttachedDisk::volume).toList());

            // online resize: QEMU grows the image on the export and the guest's disk with it
            libvirt.resizeDisk(GUEST, disk.ref(), 96 * MIB);
            assertEquals(96 * MIB, backend.volumes(pool).stream().filter(v -> v.name().equals("vm1")).findFirst()
                    .orElseThrow().capacity());
            assertTrue(RealLibvirt.domainXml(GUEST).contains("protocol=\"nfs\"")
                    || RealLibvirt.domainXml(GUEST).contains("protocol='nfs'"));

            // an ISO of the pool's library goes into the CD-ROM as an NFS network source
            IsoImage iso = backend.uploadIso(pool, "boot.iso", new ByteArrayInputStream(new byte[1 << 20]), 4 * MIB);
            libvirt.changeMedia(GUEST, iso.source());
            String xml = RealLibvirt.domainXml(GUEST);
            assertTrue(xml.contains(dir.resolve("isos/boot.iso").toString()), xml);
            libvirt.changeMedia(GUEST, java.util.Optional.empty());
            assertFalse(RealLibvirt.domainXml(GUEST).contains("boot.iso"));
            backend.deleteIso(pool, "boot.iso");
        } finally {
            RealLibvirt.remove(libvirt, GUEST);
            RealLibvirt.close(libvirt);
        }
    }

    @Test
    void aPoolWhoseServerIsDownIsAClearErrorAndItsVolumesStay() throws Exception {
        backend.createVolume(pool, new VolumeSpec("vm1", MIB, VolumeFormat.QCOW2));
        server.stop();
        try {
            QuantixException e = assertCode(ErrorCode.BACKEND_ERROR, () -> backend.probe(pool));
            assertTrue(e.getMessage().contains("not reachable") || e.getMessage().contains("NFSv3"), e.getMessage());
            assertTrue(Files.exists(dir.resolve("vm1.qcow2")));
        } finally {
            // a fresh server (new export, new ports) for the tests after this one
            server.close();
            server = NfsServer.start();
        }
    }

    private List<String> names() {
        return backend.volumes(pool).stream().map(Volume::name).toList();
    }


    private static String format(Path image) {
        String json = HostCommand.run(List.of("qemu-img", "info", "--output=json", image.toString()));
        return json.contains("\"format\": \"qcow2\"") ? "qcow2" : json.contains("\"format\": \"raw\"") ? "raw" : json;
    }

    private static int mode(Path file) {
        try {
            return (Integer) Files.getAttribute(file, "unix:mode") & 0777;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> files(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("templates") && !n.equals("isos"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static InputStream breaksAfter(byte[] data) {
        return new SequenceInputStream(new ByteArrayInputStream(data, 0, data.length / 2), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        });
    }

    private static QuantixException assertCode(ErrorCode code, Executable call) {
        QuantixException e = assertThrows(QuantixException.class, call);
        assertEquals(code, e.code(), e.toString());
        return e;
    }

    @Test
    void advertisesWhatItImplements() {
        assertTrue(backend.capabilities().containsAll(List.of(Capability.VOLUME_CLONE, Capability.TEMPLATES,
                Capability.VOLUME_SNAPSHOT, Capability.IMAGE_IMPORT, Capability.ISO_LIBRARY)));
    }
}
