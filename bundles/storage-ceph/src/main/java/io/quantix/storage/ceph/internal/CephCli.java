package io.quantix.storage.ceph.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.spi.HostCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code rbd} and {@code ceph} command-line calls for one pool, as argument vectors (never a shell). They
 * log in as the pool's cephx user with {@code --keyring}: the key itself is never on a command line, where
 * {@code ps} would show it. {@code -c /dev/null}: everything comes from the pool's options, so a stray
 * {@code /etc/ceph/ceph.conf} on the node cannot point a pool at another cluster.
 */
final class CephCli {
    /** How long a call may hunt for a monitor that answers before it gives up. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    /** Copies and imports move whole images: as long as that takes, yet a hung cluster still ends some time. */
    static final Duration COPY_TIMEOUT = Duration.ofHours(6);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** librbd's errors end in "(errno) text", e.g. "rbd: error opening image x: (2) No such file or directory". */
    private static final Pattern ERRNO = Pattern.compile("\\((\\d{1,3})\\) [A-Za-z]");
    private static final int ENOENT = 2;
    private static final int EPERM = 1;
    private static final int EACCES = 13;
    private static final int EBUSY = 16;
    private static final int EEXIST = 17;
    private static final int ENOTEMPTY = 39;
    private static final int ETIMEDOUT = 110;

    private final CephPoolOptions options;

    CephCli(CephPoolOptions options) {
        this.options = options;
    }

    /** {@code pool/image}, or {@code pool/image@snapshot}. */
    String spec(String image) {
        return options.rbdPool() + "/" + image;
    }

    String spec(String image, String snapshot) {
        return spec(image) + "@" + snapshot;
    }

    /** Runs {@code rbd args}; {@code subject} names what the call is about in error messages. */
    String rbd(String subject, String... args) {
        return rbd(subject, TIMEOUT, args);
    }

    String rbd(String subject, Duration timeout, String... args) {
        List<String> argv = argv("rbd", args);
        return check(subject, argv, HostCommand.execute(argv, timeout));
    }

    JsonNode rbdJson(String subject, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--format=json");
        return json(subject, rbd(subject, all.toArray(String[]::new)));
    }

    JsonNode cephJson(String subject, String... args) {
        List<String> argv = argv("ceph", args);
        argv.add("--format=json");
        return json(subject, check(subject, argv, HostCommand.execute(argv, TIMEOUT)));
    }

    /**
     * {@code rbd import - image}, fed from {@code data}: never more than {@code maxBytes}. A stream that is too
     * long or breaks off stops the import (INVALID_ARGUMENT); the caller removes what it left.
     */
    void importStream(String subject, String image, InputStream data, long maxBytes) {
        List<String> argv = argv("rbd", "import", "-", spec(image));
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "rbd cannot be run: " + e.getMessage(), e);
        }
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        try {
            long total;
            QuantixException refused = null;
            try {
                total = pump(data, p.getOutputStream(), maxBytes);
            } catch (QuantixException e) {
                total = -1;
                refused = e;
            }
            // rbd's input is closed either way: it ends by itself. Killing it would leave its watch on the image
            // for half a minute, and the unfinished image could not be removed until then.
            if (!p.waitFor(COPY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new QuantixException(ErrorCode.BACKEND_ERROR, "rbd import did not finish within " + COPY_TIMEOUT);
            }
            if (refused != null) {
                throw refused;
            }
            if (total == 0) {
                throw QuantixException.invalid("the image is empty");
            }
            check(subject, argv, new HostCommand.Result(p.exitValue(), "", err.join()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "rbd import was interrupted", e);
        } finally {
            p.destroyForcibly();
        }
    }

    /** Copies at most maxBytes, then closes {@code to}: rbd sees the end of its input. */
    private static long pump(InputStream from, OutputStream to, long maxBytes) {
        byte[] buffer = new byte[1 << 20];
        long total = 0;
        try (to) {
            while (true) {
                int n;
                try {
                    n = from.read(buffer);
                } catch (IOException e) {
                    throw QuantixException.invalid("the image stream broke off after " + total + " bytes: " + e.getMessage());
                }
                if (n < 0) {
                    return total;
                }
                total += n;
                if (total > maxBytes) {
                    throw QuantixException.invalid("the image is larger than the limit of " + maxBytes + " bytes");
                }
                to.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // rbd closed its input: it failed, and its exit code and message say why
            return total;
        }
    }

    private List<String> argv(String tool, String... args) {
        List<String> argv = new ArrayList<>(List.of(tool, "-c", "/dev/null", "-m", options.monitorList(),
                "--id", options.user(), "--keyring", options.keyring().toString(),
                "--client-mount-timeout", Long.toString(CONNECT_TIMEOUT.toSeconds())));
        if (tool.equals("ceph")) {
            argv.addAll(List.of("--connect-timeout", Long.toString(CONNECT_TIMEOUT.toSeconds())));
        }
        argv.addAll(List.of(args));
        return argv;
    }

    private String check(String subject, List<String> argv, HostCommand.Result r) {
        if (r.exitCode() == 0) {
            return r.stdout();
        }
        throw error(subject, argv.get(0), r.stderr());
    }

    /** Turns the tool's errno into the API's error code, with the tool's own line for people. */
    QuantixException error(String subject, String tool, String stderr) {
        String line = stderr.lines().map(String::strip).filter(l -> l.startsWith(tool + ":") || l.startsWith("Error"))
                .reduce((a, b) -> b).orElseGet(() -> stderr.lines().map(String::strip).filter(l -> !l.isEmpty())
                        .reduce((a, b) -> b).orElse(tool + " failed"));
        Matcher m = ERRNO.matcher(stderr);
        int errno = -1;
        while (m.find()) {
            errno = Integer.parseInt(m.group(1));
        }
        if (errno == ETIMEDOUT || stderr.contains("couldn't connect") || stderr.contains("timed out")) {
            return new QuantixException(ErrorCode.BACKEND_ERROR, "cannot reach the Ceph monitors "
                    + options.monitorList() + " as client." + options.user() + " within " + CONNECT_TIMEOUT.toSeconds()
                    + " s (none answers, or the key in " + options.keyring() + " is not accepted)");
        }
        String message = subject + ": " + line;
        return switch (errno) {
            case ENOENT -> new QuantixException(ErrorCode.NOT_FOUND, message);
            case EEXIST -> new QuantixException(ErrorCode.ALREADY_EXISTS, message);
            case EBUSY, ENOTEMPTY -> new QuantixException(ErrorCode.CONFLICT, message);
            case EPERM, EACCES -> new QuantixException(ErrorCode.BACKEND_ERROR, message + " (check the caps of client."
                    + options.user() + ")");
            default -> new QuantixException(ErrorCode.BACKEND_ERROR, message);
        };
    }

    private static JsonNode json(String subject, String out) {
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, subject + ": unreadable output from Ceph: "
                    + e.getMessage(), e);
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            return buf.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
