package io.quantix.hypervisor.libvirt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.Capability;
import io.quantix.api.ConsoleEndpoint;
import io.quantix.api.ConsoleType;
import io.quantix.api.ErrorCode;
import io.quantix.api.PowerAction;
import io.quantix.api.QuantixException;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.spi.DefineOptions;
import io.quantix.api.spi.HostCommand;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;

/**
 * Consoles and the cloud-init seed on a real QEMU guest: a VNC viewer gets the RFB greeting and logs in with the
 * one-time password (and not with another), SPICE listens on its own loopback port, and the seed ISO is a
 * read-only CD-ROM of the running guest.
 */
@Tag("libvirtd")
class LibvirtConsolesIT {
    private static final String GUEST = "qx-it-console";
    private static final Path SEED = Path.of("target/it-seed/seed.iso").toAbsolutePath();

    private static LibvirtBackend backend;
    private static Vm guest;

    @BeforeAll
    static void startGuest() throws Exception {
        Libvirtd.prepare();
        backend = new LibvirtBackend();
        backend.open(new ConnectionTarget(ConnectionTarget.SYSTEM_URI, Optional.empty(), false),
                LibvirtBackend.DEFAULT_SHUTDOWN_TIMEOUT, "qemu");
        Libvirtd.remove(backend, GUEST);
        buildSeed();
        guest = backend.define(UUID.randomUUID().toString(),
                VmSpec.builder(GUEST).memoryMiB(256).directBoot(Libvirtd.boot(Libvirtd.CMDLINE)).build(), List.of(),
                List.of(), new DefineOptions(Optional.of(SEED.toString())));
        backend.power(GUEST, PowerAction.START);
    }

    /** A QEMU process outlives no test: force-stopped and undefined even when a test failed. */
    @AfterAll
    static void removeGuest() {
        if (backend != null) {
            Libvirtd.remove(backend, GUEST);
            backend.close();
        }
    }

    @Test
    void aVncViewerGetsTheGreetingAndLogsInWithTheOneTimePasswordOnly() throws Exception {
        assertTrue(backend.capabilities().contains(Capability.CONSOLE));
        ConsoleEndpoint vnc = backend.console(GUEST, ConsoleType.VNC);

        assertEquals("127.0.0.1", vnc.host());
        Instant expires = vnc.expiresAt().orElseThrow();
        assertTrue(expires.isAfter(Instant.now()) && expires.isBefore(Instant.now().plus(Duration.ofMinutes(3))),
                expires.toString());
        assertEquals(0, vncLogin(vnc.host(), vnc.port(), vnc.password().orElseThrow()), "the one-time password");
        assertNotEquals(0, vncLogin(vnc.host(), vnc.port(), "wrong-pw"), "another password");

        ConsoleEndpoint again = backend.console(GUEST, ConsoleType.VNC);
        assertNotEquals(vnc.password(), again.password(), "every request sets a new password");
        assertNotEquals(0, vncLogin(vnc.host(), vnc.port(), vnc.password().orElseThrow()), "the replaced password");
    }

    @Test
    void spiceListensOnItsOwnLoopbackPort() throws Exception {
        ConsoleEndpoint spice = backend.console(GUEST, ConsoleType.SPICE);
        ConsoleEndpoint vnc = backend.console(GUEST, ConsoleType.VNC);

        assertEquals("127.0.0.1", spice.host());
        assertNotEquals(vnc.port(), spice.port());
        try (Socket socket = new Socket(spice.host(), spice.port())) {
            assertTrue(socket.isConnected());
        }
    }

    @Test
    void theSerialConsoleIsTheGuestsLogAndAStoppedVmHasNoGraphics() throws Exception {
        ConsoleEndpoint serial = backend.console(GUEST, ConsoleType.SERIAL);
        assertEquals(Optional.of(Libvirtd.serialLog(guest).toString()), serial.path());
        Libvirtd.await("boot marker on the serial log", Duration.ofSeconds(60), guest,
                () -> Libvirtd.count(guest, Libvirtd.MARKER) >= 1);

        String stopped = "qx-it-console-off";
        Libvirtd.remove(backend, stopped);
        backend.define(UUID.randomUUID().toString(), VmSpec.builder(stopped).memoryMiB(64).build(), List.of(), List.of());
        try {
            assertEquals(ErrorCode.CONFLICT, assertThrows(QuantixException.class,
                    () -> backend.console(stopped, ConsoleType.VNC)).code());
        } finally {
            backend.undefine(stopped);
        }
    }

    @Test
    void theSeedIsAReadOnlyCdromOfTheRunningGuest() throws Exception {
        Connect connect = new Connect(ConnectionTarget.SYSTEM_URI, true);
        try {
            String live = connect.domainLookupByName(GUEST).getXMLDesc(0);
            assertTrue(live.contains("device='cdrom'") && live.contains("<source file='" + SEED + "'"), live);
            assertTrue(live.contains("<alias name='" + SeedDrive.ALIAS + "'/>"), live);
        } finally {
            connect.close();
        }
    }

    private static void buildSeed() throws IOException {
        Path dir = SEED.getParent();
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("user-data"), "#cloud-config\n");
        Files.writeString(dir.resolve("meta-data"), "instance-id: qx-it-console\n");
        Files.deleteIfExists(SEED);
        HostCommand.run(List.of("genisoimage", "-quiet", "-output", SEED.toString(), "-volid", "cidata", "-joliet",
                "-rock", dir.resolve("user-data").toString(), dir.resolve("meta-data").toString()));
    }

    /**
     * RFB 3.8 with VNC authentication (RFC 6143 7.1-7.2): returns the server's SecurityResult, 0 for OK. The
     * challenge is DES-encrypted with the password (8 bytes, zero-padded), each key byte's bits mirrored.
     */
    private static int vncLogin(String host, int port, String password) throws Exception {
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            byte[] greeting = new byte[12];
            in.readFully(greeting);
            assertEquals("RFB 003.008\n", new String(greeting, StandardCharsets.US_ASCII));
            out.write(greeting);
            byte[] types = new byte[in.readUnsignedByte()];
            in.readFully(types);
            boolean vncAuth = false;
            for (byte type : types) {
                vncAuth |= type == 2;
            }
            assertTrue(vncAuth, "VNC authentication offered");
            out.write(2);
            byte[] challenge = new byte[16];
            in.readFully(challenge);
            byte[] key = new byte[8];
            byte[] pw = password.getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < key.length && i < pw.length; i++) {
                key[i] = (byte) (Integer.reverse(pw[i] & 0xff) >>> 24);
            }
            Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
            des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
            out.write(des.doFinal(challenge));
            return in.readInt();
        }
    }
}
