package io.quantix.guestagent;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the system's own programs (fsfreeze, chpasswd, date...), each bounded in time. */
final class Commands {
    static final long TIMEOUT_SECONDS = 30;

    private Commands() {}

    /**
     * Runs {@code command} plus {@code args}, feeding {@code stdin} (may be null); its output goes to the agent's
     * standard error, except for a secret's command, whose output is dropped (it might echo its input).
     *
     * @return the exit code
     */
    static int run(List<String> command, List<String> args, byte[] stdin, boolean secret) {
        List<String> argv = new ArrayList<>(command);
        argv.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.redirectOutput(secret ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.INHERIT);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AgentError(AgentError.BACKEND, command.get(0) + " could not be started: " + e.getMessage());
        }
        try {
            if (stdin != null) {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(stdin);
                } catch (IOException e) {
                    // it exited without reading: its exit code says why
                }
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AgentError(AgentError.BACKEND, command.get(0) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AgentError(AgentError.BACKEND, "interrupted while " + command.get(0) + " ran");
        }
    }

    /** Runs it and fails unless it exits 0. */
    static void check(List<String> command, List<String> args) {
        int code = run(command, args, null, false);
        if (code != 0) {
            throw new AgentError(AgentError.BACKEND, String.join(" ", command) + " " + String.join(" ", args)
                    + " failed (exit " + code + ")");
        }
    }
}
