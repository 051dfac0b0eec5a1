package io.quantix.storage.nfs.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The NFSv3 operations qemu-img cannot do (RFC 1813: LOOKUP, READDIR, LINK, REMOVE, MKDIR, SETATTR, FSSTAT), spoken
 * from user space like QEMU's own client, since the node has no kernel NFS. The server's ports come from its
 * rpcbind, which QEMU uses too. One session is one TCP connection to the NFS service.
 */
final class NfsClient implements AutoCloseable {
    private static final int PORTMAP = 100000;
    private static final int MOUNT = 100005;
    private static final int NFS = 100003;
    private static final int RPCBIND_PORT = 111;
    private static final int TCP = 6;
    private static final int NFS3ERR_NOENT = 2;
    private static final int NFS3ERR_ACCES = 13;
    private static final int NFS3ERR_EXIST = 17;
    private static final int NFS3ERR_NOTEMPTY = 66;
    /** fattr3 is fixed-size: type, mode, nlink, uid, gid, size, used, rdev, fsid, fileid, atime, mtime, ctime. */
    private static final int FATTR3_BYTES = 84;
    /** More entries than a pool's folder ever holds: beyond it a server that never says EOF is not believed. */
    static final int MAX_ENTRIES = 100_000;

    /** Space on the export, in bytes, as FSSTAT reports it. */
    record FsStat(long total, long free, long available) {
    }

    private final String server;
    private final RpcConnection nfs;
    private final byte[] root;

    NfsClient(String server, RpcConnection nfs, byte[] root) {
        this.server = server;
        this.nfs = nfs;
        this.root = root;
    }

    /** Mounts the export (MOUNT v3 over TCP) and connects to the NFS service; BACKEND_ERROR with the reason if not. */
    static NfsClient open(String server, String export) {
        try {
            int mountPort = port(server, MOUNT, 3);
            byte[] root;
            try (RpcConnection mount = new RpcConnection(server, mountPort, MOUNT, 3)) {
                Xdr.Reader reply = mount.call(1, new Xdr().string(export).bytes());
                int status = reply.u32();
                if (status != 0) {
                    throw new QuantixException(status == NFS3ERR_ACCES ? ErrorCode.INVALID_ARGUMENT : ErrorCode.BACKEND_ERROR,
                            "NFS server " + server + " refuses to mount export " + export + " (MNT3 error " + status + ")");
                }
                root = reply.opaque();
            }
            return new NfsClient(server, new RpcConnection(server, port(server, NFS, 3), NFS, 3), root);
        } catch (UnknownHostException e) {
            throw QuantixException.invalid("NFS server " + server + " is not a known host");
        } catch (ConnectException | SocketTimeoutException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "NFS server " + server + " is not reachable: "
                    + e.getMessage(), e);
        } catch (IOException | IllegalStateException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "NFS server " + server + " does not answer as an NFSv3"
                    + " server: " + e, e);
        }
    }

    private static int port(String server, int program, int version) throws IOException {
        try (RpcConnection portmap = new RpcConnection(server, RPCBIND_PORT, PORTMAP, 2)) {
            int port = portmap.call(3, new Xdr().u32(program).u32(version).u32(TCP).u32(0).bytes()).u32();
            if (port == 0) {
                throw new ConnectException("rpcbind on " + server + " knows no " + (program == NFS ? "NFSv3" : "MOUNTv3")
                        + " service over TCP");
            }
            return port;
        }
    }

    byte[] root() {
        return root;
    }

    /** The handle of a path below the export's root, one LOOKUP per component; NOT_FOUND if any is missing. */
    byte[] lookup(List<String> path) {
        byte[] handle = root;
        for (String name : path) {
            handle = lookup(handle, name);
        }
        return handle;
    }

    /** The names in a directory (without "." and ".."). */
    List<String> list(byte[] dir) {
        List<String> names = new ArrayList<>();
        DirPage page = new DirPage(0, 0, 0, false);
        int entries = 0;
        while (!page.eof()) {
            long from = page.cookie();
            page = call(16, new Xdr().opaque(dir).u64(page.cookie()).u64(page.verifier()).u32(32768).bytes(),
                    reply -> readdir(reply, from, names));
            entries += page.entries();
            // a server that neither ends the listing nor moves past where it was would be asked again forever
            if (!page.eof() && (page.entries() == 0 || page.cookie() == from || entries > MAX_ENTRIES)) {
                throw new QuantixException(ErrorCode.BACKEND_ERROR, "NFS server " + server + " does not finish listing a"
                        + " directory (" + entries + " entries, cookie " + Long.toUnsignedString(page.cookie()) + ")");
            }
        }
        return names;
    }

    /** Where one READDIR answer left the listing. */
    private record DirPage(long cookie, long verifier, int entries, boolean eof) {
    }

    /** Adds one READDIR answer's names (without "." and "..") to {@code names}. */
    private DirPage readdir(Xdr.Reader reply, long cookie, List<String> names) {
        check(reply.u32(), "directory");
        skipAttributes(reply);
        long verifier = reply.u64();
        int entries = 0;
        while (reply.bool()) {
            reply.u64();
            String name = reply.string();
            cookie = reply.u64();
            entries++;
            if (!name.equals(".") && !name.equals("..")) {
                names.add(name);
            }
        }
        return new DirPage(cookie, verifier, entries, reply.bool());
    }

    /** Gives a file a second name; ALREADY_EXISTS if the name is taken: never replaces anything. */
    void link(byte[] dir, String from, String to) {
        byte[] file = lookup(dir, from);
        call(15, new Xdr().opaque(file).opaque(dir).string(to).bytes(), reply -> check(reply.u32(), to));
    }

    void remove(byte[] dir, String name) {
        call(12, dirop(dir, name), reply -> check(reply.u32(), name));
    }

    /** Creates a directory unless it is there already, and returns its handle. */
    byte[] mkdir(byte[] dir, String name) {
        Xdr args = new Xdr().opaque(dir).string(name).bool(true).u32(0755).bool(false).bool(false).bool(false)
                .u32(0).u32(0);
        call(9, args.bytes(), reply -> {
            int status = reply.u32();
            return status == NFS3ERR_EXIST ? null : check(status, name);
        });
        return lookup(dir, name);
    }

    void chmod(byte[] dir, String name, int mode) {
        byte[] file = lookup(dir, name);
        Xdr args = new Xdr().opaque(file).bool(true).u32(mode).bool(false).bool(false).bool(false).u32(0).u32(0)
                .bool(false);
        call(2, args.bytes(), reply -> check(reply.u32(), name));
    }

    FsStat fsstat() {
        return call(18, new Xdr().opaque(root).bytes(), reply -> {
            check(reply.u32(), "export");
            skipAttributes(reply);
            return new FsStat(reply.u64(), reply.u64(), reply.u64());
        });
    }

    /** A file's size in bytes, from the attributes LOOKUP returns with its handle. */
    long size(byte[] dir, String name) {
        return call(3, dirop(dir, name), reply -> {
            check(reply.u32(), name);
            reply.opaque();
            if (!reply.bool()) {
                throw new QuantixException(ErrorCode.BACKEND_ERROR, "NFS server " + server + " gave no size for '" + name + "'");
            }
            reply.skip(20);
            return reply.u64();
        });
    }

    byte[] lookup(byte[] dir, String name) {
        return call(3, dirop(dir, name), reply -> {
            check(reply.u32(), name);
            return reply.opaque();
        });
    }

    private static byte[] dirop(byte[] dir, String name) {
        return new Xdr().opaque(dir).string(name).bytes();
    }

    private static void skipAttributes(Xdr.Reader reply) {
        if (reply.bool()) {
            reply.skip(FATTR3_BYTES);
        }
    }

    /**
     * Calls a procedure and decodes its results with {@code decode}, inside the same guard: a reply too short for
     * its fields or with a length past its end is the server's failure (BACKEND_ERROR), like a broken connection.
     */
    private <T> T call(int procedure, byte[] args, Function<Xdr.Reader, T> decode) {
        try {
            return decode.apply(nfs.call(procedure, args));
        } catch (IOException | IllegalStateException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "NFS server " + server + " failed: " + e, e);
        }
    }

    /** Null for NFS3_OK, so a decoder with nothing else to return can end with it. */
    private Void check(int status, String name) {
        switch (status) {
            case 0 -> {
                return null;
            }
            case NFS3ERR_NOENT -> throw new QuantixException(ErrorCode.NOT_FOUND, "'" + name + "' does not exist on NFS server "
                    + server);
            case NFS3ERR_EXIST -> throw new QuantixException(ErrorCode.ALREADY_EXISTS, "'" + name + "' exists already on NFS"
                    + " server " + server);
            case NFS3ERR_NOTEMPTY -> throw new QuantixException(ErrorCode.CONFLICT, "'" + name + "' is not empty");
            default -> throw new QuantixException(ErrorCode.BACKEND_ERROR, "NFS server " + server + " answered error "
                    + status + " for '" + name + "'");
        }
    }

    @Override
    public void close() {
        try {
            nfs.close();
        } catch (IOException e) {
            // the session is over either way
        }
    }
}
