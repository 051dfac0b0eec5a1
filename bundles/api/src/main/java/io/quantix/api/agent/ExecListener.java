package io.quantix.api.agent;

/**
 * Receives a guest program's output as the agent streams it. Called on the agent's reader thread, one chunk at a
 * time in arrival order: keep it short, and copy what you keep only if you change it (each array is yours).
 */
@FunctionalInterface
public interface ExecListener {
    enum Stream { STDOUT, STDERR }

    void output(Stream stream, byte[] chunk);
}
