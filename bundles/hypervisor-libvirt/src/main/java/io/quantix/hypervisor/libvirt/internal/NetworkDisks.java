package io.quantix.hypervisor.libvirt.internal;

import io.quantix.api.DiskSource;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.Secret;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Disks that QEMU opens over the network itself ({@code <disk type='network'>}: its NFS client, librbd,
 * libiscsi), and the libvirt secrets that hold their logins. A secret's value goes to libvirt through its
 * secret API only: it is never in a domain's XML, a log line or an error message.
 */
final class NetworkDisks {
    /** Prefix of the usage name of every libvirt secret Quantix defines, so they are told apart from others'. */
    static final String USAGE_PREFIX = "quantix-";

    private NetworkDisks() {
    }

    /** Fills a disk's {@code <source>}; the login names a secret by usage, the value stays in libvirt. */
    static void writeSource(Element source, DiskSource.Network network) {
        source.setAttribute("protocol", protocol(network.protocol()));
        source.setAttribute("name", network.name());
        for (DiskSource.Host host : network.hosts()) {
            Element h = Xml.child(source, "host");
            h.setAttribute("name", unbracketed(host.name()));
            if (host.port() != 0) {
                h.setAttribute("port", Integer.toString(host.port()));
            }
        }
        if (network.protocol() == DiskSource.Protocol.NFS) {
            // QEMU's NFS client speaks as this user; without it libvirt uses QEMU's own, which root-owned files refuse
            Element identity = Xml.child(source, "identity");
            identity.setAttribute("user", "root");
            identity.setAttribute("group", "root");
        }
        network.credentials().ifPresent(login -> {
            Element auth = Xml.child(source, "auth");
            auth.setAttribute("username", login.user());
            Element secret = Xml.child(auth, "secret");
            secret.setAttribute("type", secretType(network.protocol()));
            secret.setAttribute("usage", usage(login));
        });
    }

    /** What {@link #writeSource} wrote, with the login's secret {@linkplain DiskSource.Credentials#stored stored}. */
    static DiskSource.Network readSource(Element disk) {
        Element source = Xml.first(disk, "source");
        if (source == null) {
            throw new IllegalStateException("a network disk has no <source>");
        }
        DiskSource.Protocol protocol = DiskSource.Protocol.valueOf(source.getAttribute("protocol").toUpperCase(Locale.ROOT));
        List<DiskSource.Host> hosts = new ArrayList<>();
        for (Element h : Xml.children(source, "host")) {
            String port = h.getAttribute("port");
            hosts.add(new DiskSource.Host(bracketed(h.getAttribute("name")), port.isEmpty() ? 0 : Integer.parseInt(port)));
        }
        // libvirt accepts <auth> in <source> and, the older way, beside it
        Element auth = Optional.ofNullable(Xml.first(source, "auth")).orElse(Xml.first(disk, "auth"));
        Optional<DiskSource.Credentials> credentials = Optional.empty();
        if (auth != null) {
            String usage = Xml.first(auth, "secret").getAttribute("usage");
            if (!usage.startsWith(USAGE_PREFIX)) {
                throw new IllegalStateException("the disk's secret " + Validation.quote(usage) + " is not a Quantix one");
            }
            credentials = Optional.of(DiskSource.Credentials.stored(usage.substring(USAGE_PREFIX.length()),
                    auth.getAttribute("username")));
        }
        return new DiskSource.Network(protocol, source.getAttribute("name"), hosts, credentials);
    }

    /**
     * Defines or updates the libvirt secret of every login that comes with its value, before a domain or device
     * refers to it. A login without a value must already be in libvirt.
     */
    static void defineSecrets(Connect connect, List<DiskSource> sources) throws LibvirtException {
        for (DiskSource source : sources) {
            if (source instanceof DiskSource.Network network && network.credentials().isPresent()) {
                DiskSource.Credentials login = network.credentials().get();
                if (login.secret().isPresent()) {
                    byte[] value = secretValue(network.protocol(), login);
                    Secret secret = connect.secretDefineXML(secretXml(network.protocol(), login));
                    secret.setValue(value);
                }
            }
        }
    }

    /**
     * The secret's definition: a UUID derived from its usage, so defining it again updates the one secret
     * rather than failing on a usage name that is taken.
     */
    static String secretXml(DiskSource.Protocol protocol, DiskSource.Credentials login) {
        String type = secretType(protocol);
        Document doc = Xml.newDocument();
        Element secret = doc.createElementNS(null, "secret");
        doc.appendChild(secret);
        secret.setAttribute("ephemeral", "no");
        secret.setAttribute("private", "yes");
        Xml.child(secret, "uuid", UUID.nameUUIDFromBytes((type + "/" + usage(login)).getBytes(StandardCharsets.UTF_8))
                .toString());
        Xml.child(secret, "description", "Quantix storage login " + login.id());
        Element usage = Xml.child(secret, "usage");
        usage.setAttribute("type", type);
        Xml.child(usage, protocol == DiskSource.Protocol.RBD ? "name" : "target", usage(login));
        return Xml.serialize(doc, false);
    }

    /** libvirt keeps a cephx key as its raw bytes (the key as written is their base64); a CHAP password as is. */
    static byte[] secretValue(DiskSource.Protocol protocol, DiskSource.Credentials login) {
        String secret = login.secret().orElseThrow();
        if (protocol != DiskSource.Protocol.RBD) {
            return secret.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder().decode(secret);
        } catch (IllegalArgumentException e) {
            throw QuantixException.invalid("the cephx key of user " + Validation.quote(login.user()) + " is not base64");
        }
    }

    static String usage(DiskSource.Credentials login) {
        return USAGE_PREFIX + login.id();
    }

    private static String secretType(DiskSource.Protocol protocol) {
        return switch (protocol) {
            case RBD -> "ceph";
            case ISCSI -> "iscsi";
            case NFS -> throw new QuantixException(ErrorCode.UNSUPPORTED, "libvirt has no logins for NFS disks");
        };
    }

    private static String protocol(DiskSource.Protocol protocol) {
        return protocol.name().toLowerCase(Locale.ROOT);
    }

    /** libvirt wants an IPv6 address bare, Quantix writes it in brackets. */
    private static String unbracketed(String host) {
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    private static String bracketed(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
