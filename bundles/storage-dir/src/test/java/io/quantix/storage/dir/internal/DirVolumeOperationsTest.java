package io.quantix.storage.dir.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantix.api.DiskSource;
import io.quantix.api.ErrorCode;
import io.quantix.api.IsoImage;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeSnapshot;
import io.quantix.api.VolumeRef;
import io.quantix.api.VolumeSpec;
import io.quantix.api.spi.HostCommand;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Clones, templates, volume snapshots, image import and the ISO library, on real files with real qemu-img. */
class DirVolumeOperationsTest {
    private static final long MIB = Validation.MIB;

    @TempDir
    Path tmp;
    private Path dir;
    private StoragePoolSpec pool;
    private final DirStorageBackend backend = new DirStorageBackend();

    @BeforeEach
    void pool() {
        dir = tmp.resolve("pool");
        pool = new StoragePoolSpec("pool1", "dir", Map.of("path", dir.toString()));
        backend.probe(pool);
    }

    @Test
    void aCloneOfATemplateIsACopyOnWriteOverlayWithTheSameContent() {
        written("golden", VolumeFormat.QCOW2);
        Volume template = backend.createTemplate(pool, "golden", "golden-tpl");
        Volume clone = backend.cloneVolume(pool, "golden-tpl", "vm1-root");

        assertTrue(template.template());
        assertFalse(clone.template());
        assertEquals(VolumeFormat.QCOW2, clone.format());
        assertEquals(dir.resolve("templates/golden-tpl.qcow2").toString(), info(dir.resolve("vm1-root.qcow2"))
                .path("backing-filename").asText(), "the clone is backed by the template");
        assertTrue(clone.allocation() < 1 * MIB, "a fresh clone holds no data of its own: " + clone);
        assertSameContent(dir.resolve("golden.qcow2"), dir.resolve("vm1-root.qcow2"));
    }

    @Test
    void aCloneOfAVolumeIsAFullIndependentCopyInItsFormat() {
        written("data", VolumeFormat.RAW);
        Volume clone = backend.cloneVolume(pool, "data", "data-copy");

        assertEquals(VolumeFormat.RAW, clone.format());
        assertSameContent(dir.resolve("data.raw"), dir.resolve("data-copy.raw"));
        HostCommand.run(List.of("qemu-io", "-f", "raw", "-c", "write -P 0x11 0 1M", dir.resolve("data.raw").toString()));
        assertFalse(HostCommand.execute(List.of("qemu-img", "compare", "-q", "-f", "raw", "-F", "raw",
                dir.resolve("data.raw").toString(), dir.resolve("data-copy.raw").toString()),
                java.time.Duration.ofMinutes(1)).exitCode() == 0, "writing the source does not change the clone");
    }

    @Test
    void aTemplateIsReadOnlyAndCannotBeDeletedWhileClonesUseIt() throws IOException {
        written("golden", VolumeFormat.QCOW2);
        backend.createTemplate(pool, "golden", "tpl");
        backend.cloneVolume(pool, "tpl", "clone1");

        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("templates/tpl.qcow2"))));
        assertCode(ErrorCode.CONFLICT, () -> backend.resizeVolume(pool, "tpl", 128 * MIB));
        assertCode(ErrorCode.CONFLICT, () -> backend.snapshotVolume(pool, "tpl", "s1"));
        assertCode(ErrorCode.CONFLICT, () -> backend.deleteVolume(pool, "tpl"));
        assertTrue(Files.exists(dir.resolve("templates/tpl.qcow2")));

        backend.deleteVolume(pool, "clone1");
        backend.deleteVolume(pool, "tpl");
        assertEquals(List.of("golden"), backend.volumes(pool).stream().map(Volume::name).toList());
    }

    @Test
    void cloneAndTemplateNamesShareTheVolumeNamespaceAndNeverOverwrite() {
        written("a", VolumeFormat.QCOW2);
        written("b", VolumeFormat.RAW);
        backend.createTemplate(pool, "a", "tpl");

        assertCode(ErrorCode.ALREADY_EXISTS, () -> backend.cloneVolume(pool, "a", "b"));
        assertCode(ErrorCode.ALREADY_EXISTS, () -> backend.cloneVolume(pool, "a", "tpl"));
        assertCode(ErrorCode.ALREADY_EXISTS, () -> backend.createTemplate(pool, "b", "a"));
        assertCode(ErrorCode.NOT_FOUND, () -> backend.cloneVolume(pool, "nosuch", "c"));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.cloneVolume(pool, "a", "../escape"));
        assertEquals(List.of("a", "b", "tpl"), backend.volumes(pool).stream().map(Volume::name).toList());
        assertEquals(List.of("a.qcow2", "b.raw", "templates"), entries(dir));
    }

    @Test
    void volumeSnapshotsAreQcow2InternalSnapshots() {
        written("disk", VolumeFormat.QCOW2);
        backend.snapshotVolume(pool, "disk", "before-upgrade");
        backend.snapshotVolume(pool, "disk", "after");

        VolumeRef ref = new VolumeRef("pool1", "disk");
        assertEquals(List.of(new VolumeSnapshot(ref, "before-upgrade"), new VolumeSnapshot(ref, "after")),
                backend.volumeSnapshots(pool, "disk"));
        assertEquals(2, info(dir.resolve("disk.qcow2")).path("snapshots").size(), "qemu-img sees them too");
        assertCode(ErrorCode.ALREADY_EXISTS, () -> backend.snapshotVolume(pool, "disk", "after"));

        backend.deleteVolumeSnapshot(pool, "disk", "before-upgrade");
        assertEquals(List.of(new VolumeSnapshot(ref, "after")), backend.volumeSnapshots(pool, "disk"));
        assertCode(ErrorCode.NOT_FOUND, () -> backend.deleteVolumeSnapshot(pool, "disk", "before-upgrade"));

        written("rawdisk", VolumeFormat.RAW);
        assertCode(ErrorCode.UNSUPPORTED, () -> backend.snapshotVolume(pool, "rawdisk", "s"));
    }

    @Test
    void anImportedQcow2ImageBecomesAVolume() throws IOException {
        Path image = image("src.qcow2", "qcow2", 48 * MIB);

        Volume imported = backend.importVolume(pool, "imported", VolumeFormat.QCOW2, Files.newInputStream(image), 64 * MIB);

        assertEquals(48 * MIB, imported.capacity());
        assertEquals(new DiskSource.File(dir.resolve("imported.qcow2").toString()), imported.source());
        assertSameContent(image, dir.resolve("imported.qcow2"));
    }

    @Test
    void anImageThatNamesABackingFileIsRefusedAndLeavesNothing() throws IOException {
        Path secret = tmp.resolve("host-secret.raw");
        Files.write(secret, new byte[4096]);
        Path evil = tmp.resolve("evil.qcow2");
        HostCommand.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-b", secret.toString(), "-F", "raw",
                evil.toString()));

        QuantixException e = assertCode(ErrorCode.INVALID_ARGUMENT,
                () -> backend.importVolume(pool, "evil", VolumeFormat.QCOW2, Files.newInputStream(evil), 64 * MIB));
        assertTrue(e.getMessage().contains("another file"), e.getMessage());
        assertEquals(List.of(), entries(dir));
    }

    @Test
    void importsThatAreTooLargeBrokenOrNotTheirFormatLeaveNothing() throws IOException {
        Path image = image("src.qcow2", "qcow2", 48 * MIB);

        assertCode(ErrorCode.INVALID_ARGUMENT,
                () -> backend.importVolume(pool, "big", VolumeFormat.QCOW2, Files.newInputStream(image), 1024));
        assertCode(ErrorCode.INVALID_ARGUMENT,
                () -> backend.importVolume(pool, "broken", VolumeFormat.QCOW2, breaksAfter(Files.readAllBytes(image)), 64 * MIB));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.importVolume(pool, "notqcow", VolumeFormat.QCOW2,
                new ByteArrayInputStream(new byte[65536]), 64 * MIB));
        written("taken", VolumeFormat.RAW);
        assertCode(ErrorCode.ALREADY_EXISTS,
                () -> backend.importVolume(pool, "taken", VolumeFormat.QCOW2, Files.newInputStream(image), 64 * MIB));
        assertEquals(List.of("taken.raw"), entries(dir));
    }

    @Test
    void isoLibraryUploadsListsAndDeletes() throws IOException {
        byte[] iso = new byte[3 * 1024 * 1024 + 17];
        iso[0] = 42;
        IsoImage uploaded = backend.uploadIso(pool, "debian-12.5.iso", new ByteArrayInputStream(iso), 8 * MIB);

        Path file = dir.resolve("isos/debian-12.5.iso");
        assertEquals(new IsoImage("pool1", "debian-12.5.iso", iso.length, new DiskSource.File(file.toString())), uploaded);
        assertEquals(List.of(uploaded), backend.isos(pool));
        assertEquals(iso.length, Files.size(file));
        assertCode(ErrorCode.ALREADY_EXISTS,
                () -> backend.uploadIso(pool, "debian-12.5.iso", new ByteArrayInputStream(new byte[1]), MIB));
        assertEquals(iso.length, Files.size(file), "an upload never replaces an ISO");
        assertEquals(List.of(), backend.volumes(pool), "ISO images are not volumes");

        backend.deleteIso(pool, "debian-12.5.iso");
        assertEquals(List.of(), backend.isos(pool));
        assertCode(ErrorCode.NOT_FOUND, () -> backend.deleteIso(pool, "debian-12.5.iso"));
    }

    @Test
    void isoUploadsThatBreakOrExceedTheLimitOrEscapeTheFolderLeaveNothing() {
        assertCode(ErrorCode.INVALID_ARGUMENT,
                () -> backend.uploadIso(pool, "big.iso", new ByteArrayInputStream(new byte[2 * 1024 * 1024]), MIB));
        assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.uploadIso(pool, "broken.iso", breaksAfter(new byte[100_000]), MIB));
        for (String name : List.of("../escape.iso", "a/b.iso", ".hidden.iso", "/etc/passwd", "")) {
            assertCode(ErrorCode.INVALID_ARGUMENT,
                    () -> backend.uploadIso(pool, name, new ByteArrayInputStream(new byte[1]), MIB));
            assertCode(ErrorCode.INVALID_ARGUMENT, () -> backend.deleteIso(pool, name));
        }
        assertEquals(List.of(), entries(dir.resolve("isos")));
        assertFalse(Files.exists(tmp.resolve("escape.iso")));
    }

    private void written(String name, VolumeFormat format) {
        backend.createVolume(pool, new VolumeSpec(name, 64 * MIB, format));
        HostCommand.run(List.of("qemu-io", "-f", format.id(), "-c", "write -P 0x5a 0 2M",
                dir.resolve(name + "." + format.id()).toString()));
    }

    private Path image(String name, String format, long size) {
        Path image = tmp.resolve(name);
        HostCommand.run(List.of("qemu-img", "create", "-q", "-f", format, image.toString(), Long.toString(size)));
        HostCommand.run(List.of("qemu-io", "-f", format, "-c", "write -P 0x33 1M 1M", image.toString()));
        return image;
    }

    /** A stream that delivers half of {@code data} and then fails, as a dropped connection does. */
    private static InputStream breaksAfter(byte[] data) {
        return new SequenceInputStream(new ByteArrayInputStream(data, 0, data.length / 2), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        });
    }

    private static void assertSameContent(Path a, Path b) {
        HostCommand.run(List.of("qemu-img", "compare", "-q", a.toString(), b.toString()));
    }

    private static JsonNode info(Path image) {
        try {
            return new ObjectMapper().readTree(HostCommand.run(List.of("qemu-img", "info", "--output=json", image.toString())));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> entries(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static QuantixException assertCode(ErrorCode code, Executable call) {
        QuantixException e = assertThrows(QuantixException.class, call);
        assertEquals(code, e.code(), e.toString());
        return e;
    }

    /**
     * What a node killed mid-write leaves (a hidden temporary file in the pool, the templates or the ISO folder) goes;
     * an upload running right now in this backend, the volumes and a user's own hidden files stay.
     */
    @Test
    void leftoversOfAnInterruptedWriteAreRemovedButNotAWriteInProgress() throws Exception {
        backend.createVolume(pool, new VolumeSpec("keep", MIB, VolumeFormat.QCOW2));
        Path isos = Files.createDirectories(dir.resolve(DirStorageBackend.ISOS));
        Path templates = Files.createDirectories(dir.resolve(DirStorageBackend.TEMPLATES));
        List<Path> leftovers = List.of(dir.resolve(".vm1-disk0.0b6c1f3e-5d4a-4f7e-9a55-0c8f1d2e3a4b.part"),
                isos.resolve(".debian.iso.1c2d3e4f-0000-4000-8000-000000000001.part"),
                templates.resolve(".golden.2c2d3e4f-0000-4000-8000-000000000002.part"));
        for (Path leftover : leftovers) {
            Files.write(leftover, new byte[4096]);
        }
        Path userFile = Files.write(dir.resolve(".notes"), new byte[1]);

        java.io.PipedOutputStream feed = new java.io.PipedOutputStream();
        java.io.PipedInputStream upload = new java.io.PipedInputStream(feed);
        java.util.concurrent.CompletableFuture<IsoImage> running = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> backend.uploadIso(pool, "live.iso", upload, 1 << 20));
        feed.write(new byte[1000]);
        assertTrue(awaitTemp(isos, ".live.iso."), "the upload's temporary file appears");

        backend.removeLeftovers(pool);

        for (Path leftover : leftovers) {
            assertFalse(Files.exists(leftover), leftover + " is removed");
        }
        assertTrue(Files.exists(userFile), "a hidden file that is not the backend's stays");
        assertEquals(List.of("keep"), backend.volumes(pool).stream().map(Volume::name).toList());
        feed.write(new byte[24]);
        feed.close();
        assertEquals(1024, running.get(30, java.util.concurrent.TimeUnit.SECONDS).sizeBytes(),
                "the upload in progress was left to finish");
        try (Stream<Path> left = Files.list(isos)) {
            assertEquals(List.of("live.iso"), left.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** Bounded: the upload thread creates its file at once. */
    private static boolean awaitTemp(Path folder, String prefix) throws Exception {
        for (int i = 0; i < 300; i++) {
            try (Stream<Path> entries = Files.list(folder)) {
                if (entries.anyMatch(p -> p.getFileName().toString().startsWith(prefix))) {
                    return true;
                }
            }
            Thread.sleep(10);
        }
        return false;
    }
}
