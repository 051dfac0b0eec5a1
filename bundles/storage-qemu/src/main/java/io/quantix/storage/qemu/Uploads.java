package io.quantix.storage.qemu;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Streams an upload (a disk image, an ISO) into a new file, never holding it in memory and never beyond a bound. */
public final class Uploads {
    private static final int BUFFER = 1 << 16;

    private Uploads() {
    }

    /**
     * Copies {@code data} into {@code file}, which must not exist, and returns the byte count. More than
     * {@code maxBytes} (INVALID_ARGUMENT) or a stream that breaks off (INVALID_ARGUMENT, the client's side) or a
     * file that cannot be written (BACKEND_ERROR) deletes the file again: the caller finds nothing half-written.
     */
    public static long copy(InputStream data, Path file, long maxBytes) {
        if (maxBytes < 1) {
            throw QuantixException.invalid("the upload limit " + maxBytes + " must be at least 1 byte");
        }
        OutputStream out;
        try {
            out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "cannot create " + file + ": " + e.getMessage(), e);
        }
        long total = 0;
        boolean done = false;
        try (out) {
            byte[] buffer = new byte[BUFFER];
            for (int n = read(data, buffer, total); n >= 0; n = read(data, buffer, total)) {
                total += n;
                if (total > maxBytes) {
                    throw QuantixException.invalid("the upload is larger than the limit of " + maxBytes + " bytes");
                }
                out.write(buffer, 0, n);
            }
            done = true;
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            if (!done) {
                deleteQuietly(file);
            }
        }
        return total;
    }

    private static int read(InputStream data, byte[] buffer, long sofar) {
        try {
            return data.read(buffer);
        } catch (IOException e) {
            throw QuantixException.invalid("the upload broke off after " + sofar + " bytes: " + e.getMessage());
        }
    }

    public static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // nothing more to do: the file is a hidden temp that no listing shows
        }
    }
}
