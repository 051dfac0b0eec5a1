package io.quantix.api;

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
}
