package io.quantix.hypervisor.libvirt.internal;

import io.quantix.api.ConsoleEndpoint;
import io.quantix.api.ConsoleType;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.w3c.dom.Element;

/**
 * The consoles of qemu/kvm VMs. Every VM gets VNC and SPICE graphics on loopback, so nothing is reachable from
 * the network unless the node forwards it, each with a password that is already expired: QEMU only accepts a
 * password later if the display started with one, and until someone asks for a console nobody can log in.
 * Asking sets a fresh random password on the running guest, valid for {@link #PASSWORD_LIFETIME}.
 */
final class LibvirtConsoles {
    static final String LISTEN = "127.0.0.1";
    static final Duration PASSWORD_LIFETIME = Duration.ofMinutes(2);
    /** VNC authentication (DES) uses only the first 8 characters of a password; SPICE takes up to 60. */
    private static final int VNC_PASSWORD_LENGTH = 8;
    private static final int SPICE_PASSWORD_LENGTH = 24;
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** libvirt's passwdValidTo format, in UTC. */
    private static final DateTimeFormatter VALID_TO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);
    /** VIR_DOMAIN_AFFECT_LIVE: the password is for the running guest, never written to its persistent definition. */
    private static final int AFFECT_LIVE = 1;

    private LibvirtConsoles() {
    }

    /** Appends the VNC and SPICE displays to a qemu/kvm domain's {@code <devices>}. */
    static void writeGraphics(Element devices) {
        for (ConsoleType type : new ConsoleType[] {ConsoleType.VNC, ConsoleType.SPICE}) {
            Element graphics = Xml.child(devices, "graphics");
            graphics.setAttribute("type", id(type));
            graphics.setAttribute("autoport", "yes");
            graphics.setAttribute("passwd", password(type));
            graphics.setAttribute("passwdValidTo", VALID_TO.format(Instant.EPOCH));
            Element listen = Xml.child(graphics, "listen");
            listen.setAttribute("type", "address");
            listen.setAttribute("address", LISTEN);
        }
    }

    /** @param serialLog the VM's serial log file (see {@link DomainXml#serialLog}) */
    static ConsoleEndpoint open(Domain domain, String name, ConsoleType type, Path serialLog) throws LibvirtException {
        if (type == ConsoleType.SERIAL) {
            return ConsoleEndpoint.serialLog(serialLog.toString());
        }
        if (domain.isActive() != 1) {
            throw new QuantixException(ErrorCode.CONFLICT, "VM '" + name + "' is not running: its " + type
                    + " console exists only while it runs");
        }
        Element graphics = graphics(domain.getXMLDesc(0), type).orElseThrow(() -> new QuantixException(
                ErrorCode.UNSUPPORTED, "VM '" + name + "' has no " + type + " display (defined before consoles existed?)"));
        int port = Integer.parseInt(graphics.getAttribute("port"));
        String password = password(type);
        Instant expiresAt = Instant.now().plus(PASSWORD_LIFETIME).truncatedTo(ChronoUnit.SECONDS);
        // The live element keeps the port and listen address libvirt chose; only the password changes.
        graphics.setAttribute("passwd", password);
        graphics.setAttribute("passwdValidTo", VALID_TO.format(expiresAt));
        domain.updateDeviceFlags(Xml.serialize(graphics, false), AFFECT_LIVE);
        return ConsoleEndpoint.graphics(type, listenAddress(graphics), port, password, expiresAt);
    }

    static java.util.Optional<Element> graphics(String domainXml, ConsoleType type) {
        Element devices = Xml.first(Xml.parse(domainXml).getDocumentElement(), "devices");
        return devices == null ? java.util.Optional.empty() : Xml.children(devices, "graphics").stream()
                .filter(g -> id(type).equals(g.getAttribute("type")) && !g.getAttribute("port").isEmpty())
                .findFirst();
    }

    private static String listenAddress(Element graphics) {
        Element listen = Xml.first(graphics, "listen");
        String address = listen == null ? graphics.getAttribute("listen") : listen.getAttribute("address");
        return address.isEmpty() ? LISTEN : address;
    }

    private static String password(ConsoleType type) {
        int length = type == ConsoleType.VNC ? VNC_PASSWORD_LENGTH : SPICE_PASSWORD_LENGTH;
        StringBuilder password = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            password.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return password.toString();
    }

    private static String id(ConsoleType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }
}
