package io.quantix.api;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Where a hypervisor finds a volume's data. Storage backends for network storage add their own kinds. */
public sealed interface DiskSource {

    /** A file on the node's file system. */
    record File(String path) implements DiskSource {
        public File {
            Validation.required("path", path);
            if (!path.startsWith("/") || path.contains("/../") || path.endsWith("/..")) {
                throw QuantixException.invalid("disk path " + Validation.quote(path) + " must be absolute and normalised");
            }
        }
    }

    /**
     * A volume on network storage that the hypervisor opens itself (QEMU's userspace NFS client, librbd,
     * libiscsi), with no mount or block device on the node.
     *
     * @param name what the protocol calls the volume: the absolute path of the file on an NFS export, the
     *     {@code pool/image} of an RBD image, or the {@code target-iqn/lun} of an iSCSI LUN
     * @param hosts the servers to try, in order (Ceph monitors; one NFS server or iSCSI portal)
     * @param credentials what to log in with (cephx, CHAP); empty for none
     */
    record Network(Protocol protocol, String name, List<Host> hosts, Optional<Credentials> credentials)
            implements DiskSource {
        public Network {
            Validation.required("network disk protocol", protocol);
            Validation.required("network disk name", name);
            if (name.isEmpty() || name.length() > 1024 || name.chars().anyMatch(c -> c < ' ' || c == 0x7f)
                    || name.contains("/../") || name.endsWith("/..")) {
                throw QuantixException.invalid("network disk name " + Validation.quote(name) + " is invalid");
            }
            hosts = Validation.list("network disk hosts", hosts);
            if (hosts.isEmpty()) {
                throw QuantixException.invalid("a network disk needs at least one host");
            }
            Validation.required("network disk credentials", credentials);
        }
    }

    enum Protocol { NFS, RBD, ISCSI }

    /** A storage server's address; port 0 means the protocol's default port. */
    record Host(String name, int port) {
        private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})|\\[[0-9A-Fa-f:.]{2,45}\\]");

        public Host {
            if (name == null || !HOST.matcher(name).matches()) {
                throw QuantixException.invalid("storage host " + Validation.quote(name)
                        + " is invalid: use a host name, an IPv4 address or an [IPv6] address");
            }
            Validation.range("storage port", port, 0, 65535);
        }
    }

    /**
     * A login for network storage. The hypervisor keeps the secret in its own secret store under {@code id}
     * (stable per pool), never in a VM definition; toString never shows it.
     *
     * @param id names the secret in the hypervisor's store, e.g. the pool's name
     * @param user the cephx or CHAP user
     * @param secret the cephx key or CHAP password; empty when it is already in the hypervisor's store under
     *     {@code id}, which is all a hypervisor can say of a disk it reads back (it never reveals the value)
     */
    record Credentials(String id, String user, Optional<String> secret) {
        public Credentials {
            Validation.name("credentials id", id);
            Validation.required("storage user", user);
            Validation.required("storage secret", secret);
            if (user.isEmpty() || user.length() > 255 || user.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
                throw QuantixException.invalid("storage user " + Validation.quote(user) + " is invalid");
            }
            if (secret.isPresent() && (secret.get().isEmpty() || secret.get().length() > 1024
                    || secret.get().chars().anyMatch(Character::isISOControl))) {
                throw QuantixException.invalid("the storage secret for user " + Validation.quote(user) + " is invalid");
            }
        }

        /** A login with its secret, as a storage backend hands it to the hypervisor. */
        public Credentials(String id, String user, String secret) {
            this(id, user, Optional.of(Validation.required("storage secret", secret)));
        }

        /** A login whose secret the hypervisor already keeps under {@code id}. */
        public static Credentials stored(String id, String user) {
            return new Credentials(id, user, Optional.empty());
        }

        @Override
        public String toString() {
            return "Credentials[id=" + id + ", user=" + user + ", secret=" + (secret.isPresent() ? "(hidden)" : "(stored)")
                    + "]";
        }
    }
}
