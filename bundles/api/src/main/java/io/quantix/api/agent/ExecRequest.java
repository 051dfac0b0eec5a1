package io.quantix.api.agent;

import io.quantix.api.QuantixException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A program to run in the guest. Build one with {@link #builder}.
 *
 * @param path the program (searched in the guest's PATH when it has no slash)
 * @param args its arguments, without argv[0]
 * @param env {@code NAME=value} entries for its environment
 * @param stdin what it reads on standard input (at most {@link #MAX_STDIN} bytes)
 * @param timeout how long it may run before it is killed
 */
public record ExecRequest(String path, List<String> args, List<String> env, byte[] stdin, Duration timeout) {
    public static final int MAX_STDIN = 1 << 20;
    public static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    public ExecRequest {
        if (path == null || path.isEmpty() || hasNul(path)) {
            throw QuantixException.invalid("exec: a program path is required, without NUL characters");
        }
        args = List.copyOf(args);
        env = List.copyOf(env);
        for (String a : args) {
            if (hasNul(a)) {
                throw QuantixException.invalid("exec: an argument holds a NUL character");
            }
        }
        for (String e : env) {
            if (hasNul(e) || e.indexOf('=') < 1) {
                throw QuantixException.invalid("exec: environment entries are NAME=value, without NUL characters");
            }
        }
        stdin = stdin == null ? new byte[0] : stdin;
        if (stdin.length > MAX_STDIN) {
            throw QuantixException.invalid("exec: standard input is limited to " + MAX_STDIN + " bytes");
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw QuantixException.invalid("exec: the timeout must be above 0 and at most " + MAX_TIMEOUT.toMinutes()
                    + " minutes");
        }
    }

    private static boolean hasNul(String s) {
        return s.indexOf('\0') >= 0;
    }

    public static Builder builder(String path) {
        return new Builder(path);
    }

    public static final class Builder {
        private final String path;
        private final List<String> args = new ArrayList<>();
        private final List<String> env = new ArrayList<>();
        private byte[] stdin = new byte[0];
        private Duration timeout = Duration.ofSeconds(30);

        private Builder(String path) {
            this.path = path;
        }

        public Builder args(String... values) {
            args.addAll(List.of(values));
            return this;
        }

        public Builder env(String name, String value) {
            env.add(name + "=" + value);
            return this;
        }

        public Builder stdin(byte[] value) {
            stdin = value.clone();
            return this;
        }

        public Builder timeout(Duration value) {
            timeout = value;
            return this;
        }

        public ExecRequest build() {
            return new ExecRequest(path, args, env, stdin, timeout);
        }
    }
}
