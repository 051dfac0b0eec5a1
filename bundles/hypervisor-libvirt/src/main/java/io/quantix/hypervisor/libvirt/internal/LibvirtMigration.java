package io.quantix.hypervisor.libvirt.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.MigrationProgress;
import io.quantix.api.MigrationProgress.Phase;
import io.quantix.api.MigrationSpec;
import io.quantix.api.QuantixException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainJobStats;
import org.libvirt.Error;
import org.libvirt.LibvirtException;
import org.libvirt.TypedParameter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves VMs to another libvirt (client-managed migration: this node talks to both daemons). A live migration
 * copies the running guest's memory while it keeps running, then pauses it for the switch-over; an offline one
 * copies the definition of a stopped VM. Either way the destination keeps the VM defined and this node forgets it.
 * <p>
 * Runs without the backend's lock, which a migration of many seconds must not hold: libvirt serialises the jobs
 * of one domain itself. Progress comes from the domain's job statistics, polled on a thread of its own.
 */
final class LibvirtMigration {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtMigration.class);
    /** VIR_DOMAIN_JOB_STATS_COMPLETED: the statistics of the job that just ended (libvirt-java has no constant). */
    private static final int STATS_COMPLETED = 1;
    /** VIR_DOMAIN_JOB_NONE. */
    private static final int NO_JOB = 0;
    private static final long POLL_MILLIS = 1000;

    /** A migration in flight; {@code cancelled} is set by another thread. */
    private static final class Job {
        final Domain domain;
        final long started = System.nanoTime();
        volatile boolean cancelled;
        volatile MigrationProgress last;

        Job(Domain domain) {
            this.domain = domain;
            last = new MigrationProgress(Phase.STARTING, 0, 0, 0, 0, 0, 0);
        }

        long elapsedMillis() {
            return (System.nanoTime() - started) / 1_000_000;
        }
    }

    private final Map<String, Job> running = new ConcurrentHashMap<>();

    /**
     * Blocks until the migration ends.
     *
     * @param live false for a stopped VM, whose definition alone moves
     */
    MigrationProgress migrate(String name, Domain domain, boolean live, MigrationSpec spec,
            Consumer<MigrationProgress> progress) {
        Job job = new Job(domain);
        if (running.putIfAbsent(name, job) != null) {
            throw new QuantixException(ErrorCode.CONFLICT, "VM '" + name + "' is already migrating");
        }
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "quantix-libvirt-migration-" + name);
            thread.setDaemon(true);
            return thread;
        });
        try {
            progress.accept(job.last);
            Connect destination = new Connect(spec.targetUri(), false);
            try {
                long flags = Domain.MigrateFlags.PERSIST_DEST | Domain.MigrateFlags.UNDEFINE_SOURCE
                        | (live ? Domain.MigrateFlags.LIVE : Domain.MigrateFlags.OFFLINE);
                if (live && spec.maxDowntimeMillis() > 0) {
                    domain.migrateSetMaxDowntime(spec.maxDowntimeMillis());
                }
                if (live) {
                    poller.scheduleAtFixedRate(() -> poll(job, progress), POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
                }
                LOG.info("VM '{}': {} migration to {} started", name, live ? "live" : "offline", spec.targetUri());
                // A cancel that came before libvirt started the job is caught here or by the next poll.
                if (job.cancelled) {
                    return cancelled(name, job, progress);
                }
                Domain moved = domain.migrate(destination, flags, null, spec.migrateUri().orElse(null), 0);
                poller.shutdownNow();
                MigrationProgress done = completed(moved, job);
                moved.free();
                LOG.info("VM '{}' migrated to {}: {}", name, spec.targetUri(), done);
                progress.accept(done);
                return done;
            } finally {
                poller.shutdownNow();
                destination.close();
            }
        } catch (LibvirtException e) {
            if (job.cancelled) {
                return cancelled(name, job, progress);
            }
            String reason = e.getError() == null ? e.getMessage() : e.getError().getMessage();
            LOG.warn("VM '{}': migration to {} failed, the VM stays here: {}", name, spec.targetUri(), reason);
            progress.accept(end(job, Phase.FAILED));
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "migrating VM '" + name + "' to " + spec.targetUri()
                    + " failed, the VM stays on this node: " + reason, e);
        } finally {
            running.remove(name, job);
        }
    }

    /** Stops the VM's running migration; the VM stays here. */
    void cancel(String name) {
        Job job = running.get(name);
        if (job == null) {
            throw new QuantixException(ErrorCode.NOT_FOUND, "VM '" + name + "' is not migrating");
        }
        job.cancelled = true;
        abort(job);
    }

    private static void abort(Job job) {
        try {
            job.domain.abortJob();
        } catch (LibvirtException e) {
            // No job yet (still connecting to the destination): the migration notices the flag before or soon after it starts.
            if (e.getError() == null || e.getError().getCode() != Error.ErrorNumber.VIR_ERR_OPERATION_INVALID) {
                throw LibvirtErrors.map(e, null);
            }
        }
    }

    private void poll(Job job, Consumer<MigrationProgress> progress) {
        try {
            DomainJobStats stats = job.domain.getJobStats(0);
            if (stats.type == NO_JOB) {
                return;
            }
            if (job.cancelled) {
                abort(job);
                return;
            }
            Map<String, Long> figures = figures(stats);
            job.last = new MigrationProgress(Phase.TRANSFERRING, figures.getOrDefault("data_total", 0L),
                    figures.getOrDefault("data_processed", 0L), figures.getOrDefault("data_remaining", 0L),
                    figures.getOrDefault("memory_dirty_rate", 0L), figures.getOrDefault("downtime", 0L),
                    job.elapsedMillis());
            progress.accept(job.last);
        } catch (LibvirtException | QuantixException e) {
            LOG.debug("reading migration progress failed (the job may have just ended): {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("a migration progress listener failed", e);
        }
    }

    /** The figures of the finished job as the destination recorded them (downtime is known only there). */
    private static MigrationProgress completed(Domain moved, Job job) {
        Map<String, Long> figures;
        try {
            figures = figures(moved.getJobStats(STATS_COMPLETED));
        } catch (LibvirtException e) {
            // An offline migration runs no job: there are no figures but the time it took.
            figures = Map.of();
        }
        long total = figures.getOrDefault("data_total", job.last.dataTotal());
        return new MigrationProgress(Phase.COMPLETED, total, figures.getOrDefault("data_processed", total), 0,
                figures.getOrDefault("memory_dirty_rate", job.last.dirtyRate()), figures.getOrDefault("downtime", 0L),
                figures.getOrDefault("time_elapsed", job.elapsedMillis()));
    }

    private static MigrationProgress cancelled(String name, Job job, Consumer<MigrationProgress> progress) {
        LOG.info("VM '{}': migration cancelled, the VM stays here", name);
        MigrationProgress last = end(job, Phase.CANCELLED);
        progress.accept(last);
        return last;
    }

    private static MigrationProgress end(Job job, Phase phase) {
        MigrationProgress last = job.last;
        return new MigrationProgress(phase, last.dataTotal(), last.dataProcessed(), last.dataRemaining(),
                last.dirtyRate(), 0, job.elapsedMillis());
    }

    /** libvirt's numeric job statistics by name; the few that are not numbers are left out. */
    private static Map<String, Long> figures(DomainJobStats stats) {
        Map<String, Long> figures = new HashMap<>();
        if (stats.stats == null) {
            return figures;
        }
        for (TypedParameter parameter : stats.stats) {
            try {
                figures.put(parameter.field, Long.parseLong(parameter.getValueAsString()));
            } catch (NumberFormatException e) {
                // a text or fractional statistic: none that progress reports
            }
        }
        return figures;
    }
}
