package io.quantix.storage.iscsi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.AttachedDisk;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.PoolUsage;
import io.quantix.api.PowerAction;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeSpec;
import io.quantix.hypervisor.libvirt.internal.LibvirtBackend;
import io.quantix.hypervisor.libvirt.internal.RealLibvirt;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The iscsi backend against a real tgtd on 127.0.0.1 with CHAP, and a real QEMU guest booting with a disk on a LUN.
 * The target is shared and no test changes it, so none depends on another's order.
 */
class IscsiStorageBackendIT {
    private static final long MIB = Validation.MIB;
    private static final String IQN = "iqn.2026-11.io.quantix:qx-st-target";
    private static final String USER = "qx-initiator";
    private static final String SECRET = "chap-Secret-12345";
    private static final String GUEST = "qx-st-iscsi-guest";
    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static Path dir;
    private static int port;
    private static StoragePoolSpec pool;
    private final IscsiStorageBackend backend = new IscsiStorageBackend();

    @BeforeAll
    static void start() throws Exception {
        assertEquals("root", System.getProperty("user.name"),
                "the iSCSI integration tests install and start tgtd: run them as root, or skip with -DskipITs");
        dir = Files.createTempDirectory(Path.of("/tmp"), "qx-st-tgt");
        secretFile("chap-secret", SECRET);
        Process p = new ProcessBuilder("sh", MODULE.resolve("src/test/sh/tgt-env.sh").toString(), "start", dir.toString(),
                IQN, USER).redirectError(MODULE.resolve("target/tgt-env.log").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor(), "tgt-env.sh failed: see target/tgt-env.log");
        port = Integer.parseInt(out);
        pool = pool(Map.of("chapUser", USER, "chapSecretFile", dir.resolve("chap-secret").toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        RealLibvirt.removeSecret(DiskSource.Protocol.ISCSI, new DiskSource.Credentials("san", USER, SECRET));
        new ProcessBuilder("sh", MODULE.resolve("src/test/sh/tgt-env.sh").toString(), "stop", dir.toString())
                .redirectErrorStream(true).start().waitFor();
        try (var files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    private static StoragePoolSpec pool(Map<String, String> extra) {
        Map<String, String> options = new HashMap<>(extra);
        options.put("portal", "127.0.0.1:" + port);
        options.put("target", IQN);
        return new StoragePoolSpec("san", "iscsi", options);
    }

    private static Path secretFile(String name, String secret) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, secret + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Test
    void theTargetsLunsAreTheVolumesWithTheirExactSizes() {
        List<Volume> volumes = backend.volumes(pool);

        assertEquals(List.of("lun1", "lun2"), volumes.stream().map(Volume::name).toList());
        assertEquals(List.of(64 * MIB, 32 * MIB), volumes.stream().map(Volume::capacity).toList());
        DiskSource.Network source = (DiskSource.Network) volumes.get(0).source();
        assertEquals(DiskSource.Protocol.ISCSI, source.protocol());
        assertEquals(IQN + "/1", source.name());
        assertEquals(List.of(new DiskSource.Host("127.0.0.1", port)), source.hosts());
        assertEquals(USER, source.credentials().orElseThrow().user());
        PoolUsage usage = backend.probe(pool);
        assertEquals(96 * MIB, usage.capacity());
        assertEquals(0, usage.available(), "nothing can be made in an iSCSI pool");
    }

    @Test
    void aWrongOrMissingChapLoginIsAClearError() throws Exception {
        Path wrong = secretFile("wrong-secret", "not-the-password");
        QuantixException e = assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.probe(pool(Map.of("chapUser", USER,
                "chapSecretFile", wrong.toString()))));
        assertTrue(e.getMessage().contains("refused the CHAP login"), e.getMessage());
        assertFalse(e.getMessage().contains("not-the-password"), e.getMessage());
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.probe(pool(Map.of())));

        Path readable = dir.resolve("readable-secret");
        Files.writeString(readable, SECRET);
        Files.setPosixFilePermissions(readable, PosixFilePermissions.fromString("rw-r--r--"));
        QuantixException open = assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.probe(pool(Map.of("chapUser", USER,
                "chapSecretFile", readable.toString()))));
        assertTrue(open.getMessage().contains("chmod 600"), open.getMessage());
    }

    @Test
    void badPoolsAreRefusedAndLunsAreTheAdministratorsToMake() {
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.probe(new StoragePoolSpec("x", "iscsi",
                Map.of("portal", "127.0.0.1:" + port, "target", "iqn.2026-11.io.quantix:nosuch",
                        "chapUser", USER, "chapSecretFile", dir.resolve("chap-secret").toString()))));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.probe(new StoragePoolSpec("x", "iscsi",
                Map.of("portal", "127.0.0.1", "target", "not an iqn"))));
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.createVolume(pool, new VolumeSpec("new", MIB, VolumeFormat.RAW)));
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.deleteVolume(pool, "lun1"));
        assertEquals(2, backend.volumes(pool).size());
    }

    /** libvirt gets the CHAP password as a secret of its own; QEMU logs in to the target with it. */
    @Test
    void aGuestBootsWithItsDiskOnALun() throws Exception {
        LibvirtBackend libvirt = RealLibvirt.open();
        try {
            RealLibvirt.remove(libvirt, GUEST);
            Volume lun = backend.volumes(pool).get(0);
            VmSpec spec = VmSpec.builder(GUEST).memoryMiB(256).disk(DiskSpec.of("san", 64 * MIB))
                    .directBoot(RealLibvirt.watchingPartitions()).build();
            Vm vm = libvirt.define(UUID.randomUUID().toString(), spec,
                    List.of(new AttachedDisk(lun.ref(), lun.source(), lun.format(), DiskBus.VIRTIO)), List.of());
            libvirt.power(GUEST, PowerAction.START);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!RealLibvirt.partitions(vm).contains("vda")) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the guest does not see its LUN; console:\n" + RealLibvirt.console(vm));
                }
                Thread.sleep(200);
            }
        } finally {
            RealLibvirt.remove(libvirt, GUEST);
            RealLibvirt.close(libvirt);
        }
    }

    @Test
    void aPortalThatIsDownIsAClearError() throws Exception {
        // A port nothing listens on, rather than stopping the target the other tests share.
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        StoragePoolSpec down = new StoragePoolSpec("san", "iscsi", Map.of("portal", "127.0.0.1:" + closed,
                "target", IQN, "chapUser", USER, "chapSecretFile", dir.resolve("chap-secret").toString()));
        QuantixException e = assertCode(ErrorCode.BACKEND_ERROR, () -> backend.probe(down));
        assertTrue(e.getMessage().contains("not reachable"), e.getMessage());
    }

    private static QuantixException assertCode(ErrorCode code, Executable call) {
        QuantixException e = assertThrows(QuantixException.class, call);
        assertEquals(code, e.code(), e.toString());
        return e;
    }
}
