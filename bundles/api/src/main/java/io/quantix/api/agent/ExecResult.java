package io.quantix.api.agent;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * How a program run in the guest ended.
 *
 * @param pid its process id in the guest
 * @param timedOut it ran past the request's timeout and was killed
 * @param exitCode its exit status, or -1 when a signal ended it
 * @param signal the signal that ended it, or 0
 * @param stdout what it wrote on standard output
 * @param stderr what it wrote on standard error
 * @param truncated the agent cut an output short (qemu-guest-agent keeps at most 16 MiB of each)
 */
public record ExecResult(long pid, boolean timedOut, int exitCode, int signal, byte[] stdout, byte[] stderr,
        boolean truncated) {
    public ExecResult {
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
    }

    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }
}
