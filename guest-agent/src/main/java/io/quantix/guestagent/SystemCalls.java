package io.quantix.guestagent;

import io.quantix.proto.agent.v1.SetPassword;
import io.quantix.proto.agent.v1.Shutdown;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/** Password, power and clock: each through the guest's own program. */
final class SystemCalls {
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}");

    private final AgentConfig config;

    SystemCalls(AgentConfig config) {
        this.config = config;
    }

    /** chpasswd reads {@code user:password}; the password is in no log, argument or error. */
    void setPassword(SetPassword request) {
        if (!USER.matcher(request.getUser()).matches()) {
            throw new AgentError(AgentError.INVALID, "a user name is 1-32 of a-z 0-9 _ . - starting with a letter or _");
        }
        String password = request.getPassword();
        if (password.isEmpty() || password.length() > 1024 || password.indexOf('\n') >= 0
                || password.indexOf('\r') >= 0 || password.indexOf('\0') >= 0) {
            throw new AgentError(AgentError.INVALID, "a password is 1 to 1024 characters, on one line");
        }
        byte[] line = (request.getUser() + ":" + password + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            int code = Commands.run(config.chpasswd(), request.getCrypted() ? List.of("-e") : List.of(), line, true);
            if (code != 0) {
                throw new AgentError(AgentError.BACKEND, "chpasswd failed for " + request.getUser() + " (exit " + code
                        + ")");
            }
        } finally {
            Arrays.fill(line, (byte) 0);
        }
        Log.info("password of " + request.getUser() + " set");
    }

    /** The command that powers off, halts or reboots. */
    List<String> shutdownCommand(Shutdown.Mode mode) {
        String word = switch (mode) {
            case HALT -> "halt";
            case REBOOT -> "reboot";
            default -> "poweroff";
        };
        if (!config.shutdown().isEmpty()) {
            return concat(config.shutdown(), word);
        }
        if (Files.isDirectory(Path.of("/run/systemd/system"))) {
            return List.of("systemctl", word);
        }
        return List.of("shutdown", switch (mode) {
            case HALT -> "-H";
            case REBOOT -> "-r";
            default -> "-P";
        }, "now");
    }

    void shutdown(Shutdown.Mode mode) {
        List<String> command = shutdownCommand(mode);
        Log.info("shutdown requested: " + String.join(" ", command));
        Commands.check(command.subList(0, 1), command.subList(1, command.size()));
    }

    /** Sets the clock to the host's time, or (0) from the guest's hardware clock, as after a resume. */
    void syncTime(long unixNanos) {
        if (unixNanos < 0) {
            throw new AgentError(AgentError.INVALID, "a time is nanoseconds since 1970");
        }
        if (unixNanos == 0) {
            Commands.check(config.hwclock(), List.of("--hctosys"));
        } else {
            Commands.check(config.date(), List.of("-u", "-s", String.format("@%d.%09d", unixNanos / 1_000_000_000L,
                    unixNanos % 1_000_000_000L)));
        }
    }

    private static List<String> concat(List<String> head, String last) {
        String[] out = head.toArray(new String[head.size() + 1]);
        out[head.size()] = last;
        return List.of(out);
    }
}
