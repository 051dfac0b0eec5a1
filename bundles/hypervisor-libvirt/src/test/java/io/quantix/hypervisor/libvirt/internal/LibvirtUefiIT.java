package io.quantix.hypervisor.libvirt.internal;

import static io.quantix.hypervisor.libvirt.internal.Libvirtd.MARKER;
import static io.quantix.hypervisor.libvirt.internal.Libvirtd.await;
import static io.quantix.hypervisor.libvirt.internal.Libvirtd.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.AttachedDisk;
import io.quantix.api.Capability;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.DiskSpec;
import io.quantix.api.Firmware;
import io.quantix.api.PowerAction;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import io.quantix.api.spi.HostCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UEFI guests under OVMF on the real libvirtd. With Secure Boot off, the tiny guest's kernel boots to its marker.
 * Secure Boot is shown on a boot loader from a disk: OVMF does not check a kernel QEMU hands it directly, so an EFI
 * system partition holds the loader, a Debian kernel image (signed by Debian, whose key is not among those
 * enrolled). Without Secure Boot OVMF starts it; with Secure Boot and the enrolled keys it refuses it.
 */
@Tag("libvirtd")
class LibvirtUefiIT {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtUefiIT.class);
    private static final String DIRECT = "qx-it-uefi";
    private static final String LOADER = "qx-it-uefi-esp";
    private static final String SECURE = "qx-it-uefi-sb";
    /** OVMF under TCG is slower to start than SeaBIOS. */
    private static final Duration BOOT = Duration.ofSeconds(120);
    /** Where each VM's EFI system partition goes: QEMU's user must reach it (the data directory is root's). */
    private static final Path DIR = Path.of("").toAbsolutePath().resolve("target/it-uefi");

    private static LibvirtBackend backend;

    @BeforeAll
    static void open() throws Exception {
        Libvirtd.prepare();
        backend = new LibvirtBackend();
        backend.open(new ConnectionTarget(ConnectionTarget.SYSTEM_URI, Optional.empty(), false),
                LibvirtBackend.DEFAULT_SHUTDOWN_TIMEOUT, "qemu");
        removeAll();
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            removeAll();
            backend.close();
        }
    }

    private static void removeAll() {
        for (String name : List.of(DIRECT, LOADER, SECURE)) {
            Libvirtd.remove(backend, name);
        }
    }

    /**
     * A FAT image with the kernel as the removable-media loader EFI/BOOT/BOOTX64.EFI, which OVMF tries by itself;
     * one per VM, as QEMU locks a disk image for the guest writing to it.
     */
    private static Path buildEsp(String vm) throws Exception {
        Path esp = DIR.resolve(vm + ".img");
        Files.createDirectories(DIR);
        Files.deleteIfExists(esp);
        HostCommand.run(List.of("mkfs.vfat", "-C", esp.toString(), "32768"));
        HostCommand.run(List.of("mmd", "-i", esp.toString(), "::/EFI", "::/EFI/BOOT"));
        HostCommand.run(List.of("mcopy", "-i", esp.toString(), Libvirtd.boot("").kernel(), "::/EFI/BOOT/BOOTX64.EFI"));
        return esp;
    }

    @Test
    void aUefiGuestWithSecureBootOffBootsToItsMarker() throws Exception {
        assertTrue(backend.capabilities().containsAll(List.of(Capability.UEFI, Capability.SECURE_BOOT)),
                backend.capabilities().toString());
        long start = System.nanoTime();
        Vm vm = backend.define(UUID.randomUUID().toString(), VmSpec.builder(DIRECT).memoryMiB(256)
                .firmware(Firmware.UEFI).directBoot(Libvirtd.boot(Libvirtd.CMDLINE)).build(), List.of(), List.of());
        backend.power(DIRECT, PowerAction.START);

        await("boot marker under OVMF", BOOT, vm, () -> count(vm, MARKER) == 1);
        LOG.info("UEFI (OVMF): create to guest marker on the serial console: {} ms", (System.nanoTime() - start) / 1_000_000);
        assertEquals(Firmware.UEFI, backend.find(DIRECT).orElseThrow().spec().firmware());
    }

    @Test
    void secureBootWithEnrolledKeysRefusesALoaderTheKeysDidNotSign() throws Exception {
        Vm open = boot(LOADER, Firmware.UEFI);
        Vm secure = boot(SECURE, Firmware.UEFI_SECURE_BOOT);

        // Without Secure Boot the loader starts; with it, OVMF refuses the very same file.
        await("OVMF starts the loader", BOOT, open, () -> Libvirtd.console(open).contains("BdsDxe: starting Boot0001"));
        assertFalse(Libvirtd.console(open).contains("Access Denied"), Libvirtd.console(open));
        await("OVMF refuses the loader", BOOT, secure, () -> Libvirtd.console(secure).contains("Access Denied"));
        assertFalse(Libvirtd.console(secure).contains("BdsDxe: starting Boot0001"), Libvirtd.console(secure));
        assertEquals(Firmware.UEFI_SECURE_BOOT, backend.find(SECURE).orElseThrow().spec().firmware());
    }

    private static Vm boot(String name, Firmware firmware) throws Exception {
        List<AttachedDisk> disks = List.of(new AttachedDisk(new VolumeRef("uefi", "esp"), new DiskSource.File(buildEsp(name).toString()),
                VolumeFormat.RAW, DiskBus.VIRTIO));
        Vm vm = backend.define(UUID.randomUUID().toString(), VmSpec.builder(name).memoryMiB(256).firmware(firmware)
                .disk(new DiskSpec("uefi", 32 * Validation.MIB, VolumeFormat.RAW, DiskBus.VIRTIO)).build(), disks, List.of());
        backend.power(name, PowerAction.START);
        return vm;
    }
}
