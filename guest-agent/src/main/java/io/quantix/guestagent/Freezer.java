package io.quantix.guestagent;

import io.quantix.proto.agent.v1.FreezeState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * fsfreeze of the guest's disk filesystems, for a consistent snapshot. A frozen guest cannot write, so the freeze
 * never outlives its timeout: a timer armed before the first filesystem is frozen thaws them, whether or not the
 * host is still there to ask. The long options are the ones both util-linux's and busybox's fsfreeze know.
 */
final class Freezer {
    static final long DEFAULT_TIMEOUT_MS = 60_000;
    static final long MAX_TIMEOUT_MS = 600_000;

    private final AgentConfig config;
    private final ScheduledExecutorService timer;
    /** frozen mountpoints, in the order they were frozen */
    private final List<String> frozen = new ArrayList<>();
    private ScheduledFuture<?> autoThaw;

    Freezer(AgentConfig config, ScheduledExecutorService timer) {
        this.config = config;
        this.timer = timer;
    }

    synchronized FreezeState freeze(long timeoutMs) {
        if (!frozen.isEmpty()) {
            throw new AgentError(AgentError.CONFLICT, "the filesystems are already frozen");
        }
        long timeout = timeoutMs == 0 ? DEFAULT_TIMEOUT_MS : Math.min(timeoutMs, MAX_TIMEOUT_MS);
        List<Mounts.Mount> disks = Mounts.disks(config.mounts());
        autoThaw = timer.schedule(this::autoThaw, timeout, TimeUnit.MILLISECONDS);
        // the innermost mount first, so a filesystem is frozen after the ones mounted on it
        for (int i = disks.size() - 1; i >= 0; i--) {
            String mountpoint = disks.get(i).mountpoint();
            try {
                Commands.check(config.fsfreeze(), List.of("--freeze", mountpoint));
            } catch (AgentError e) {
                thawAll();
                throw e;
            }
            frozen.add(mountpoint);
        }
        Log.info("froze " + frozen.size() + " filesystems for at most " + timeout + " ms");
        return FreezeState.newBuilder().setFrozen(true).setFilesystems(frozen.size()).build();
    }

    synchronized FreezeState thaw() {
        int n = frozen.size();
        thawAll();
        return FreezeState.newBuilder().setFrozen(false).setFilesystems(n).build();
    }

    synchronized FreezeState status() {
        return FreezeState.newBuilder().setFrozen(!frozen.isEmpty()).setFilesystems(frozen.size()).build();
    }

    private synchronized void autoThaw() {
        if (!frozen.isEmpty()) {
            Log.info("the freeze timed out: thawing " + frozen.size() + " filesystems");
            try {
                thawAll();
            } catch (AgentError e) {
                Log.info(e.getMessage());
            }
        }
    }

    /** Thaws all, in the reverse order of the freeze, trying each even when one fails. */
    private void thawAll() {
        if (autoThaw != null) {
            autoThaw.cancel(false);
            autoThaw = null;
        }
        AgentError failed = null;
        for (int i = frozen.size() - 1; i >= 0; i--) {
            try {
                Commands.check(config.fsfreeze(), List.of("--unfreeze", frozen.get(i)));
            } catch (AgentError e) {
                failed = e;
            }
        }
        frozen.clear();
        if (failed != null) {
            throw failed;
        }
    }
}
