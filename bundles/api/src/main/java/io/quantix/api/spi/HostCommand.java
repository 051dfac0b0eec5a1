package io.quantix.api.spi;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host tool ({@code qemu-img}, {@code ip}, ...) the one way backends should: an argument vector,
 * never a shell, with a time limit, and failures turned into {@link ErrorCode#BACKEND_ERROR} carrying the
 * tool's own first error line.
 */
public final class HostCommand {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    private HostCommand() {
    }

    /** The outcome of a command that ran to completion. */
    public record Result(int exitCode, String stdout, String stderr) {
        /** The first non-blank line of stderr, else of stdout: what a person needs to see. */
        public String firstErrorLine() {
            return (stderr.isBlank() ? stdout : stderr).lines().map(String::strip).filter(l -> !l.isEmpty())
                    .findFirst().orElse("exit code " + exitCode);
        }
    }

    /** Runs and returns stdout; BACKEND_ERROR if the exit code is not 0. */
    public static String run(List<String> argv) {
        Result r = execute(argv, DEFAULT_TIMEOUT);
        if (r.exitCode() != 0) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, argv.get(0) + " failed: " + r.firstErrorLine());
        }
        return r.stdout();
    }

    /** Runs and returns whatever happened; BACKEND_ERROR only if it could not run or timed out. */
    public static Result execute(List<String> argv, Duration timeout) {
        return execute(argv, Map.of(), timeout);
    }

    /**
     * The same, with extra environment variables: the way to hand a tool a secret that must not show on its
     * command line, which every user of the host can read in /proc.
     */
    public static Result execute(List<String> argv, Map<String, String> environment, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(List.copyOf(argv));
        pb.environment().putAll(environment);
        pb.environment().put("LC_ALL", "C");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, argv.get(0) + " cannot be run: " + e.getMessage(), e);
        }
        try {
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new QuantixException(ErrorCode.BACKEND_ERROR, argv.get(0) + " did not finish within " + timeout);
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new QuantixException(ErrorCode.BACKEND_ERROR, argv.get(0) + " was interrupted", e);
        } catch (IOException e) {
            p.destroyForcibly();
            throw new QuantixException(ErrorCode.BACKEND_ERROR, argv.get(0) + " failed: " + e.getMessage(), e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            return buf.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
