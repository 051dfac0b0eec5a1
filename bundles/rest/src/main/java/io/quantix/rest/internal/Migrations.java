package io.quantix.rest.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.MigrationProgress;
import io.quantix.api.MigrationSpec;
import io.quantix.api.QuantixException;
import io.quantix.api.service.VmService;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs migrations for REST clients, who start one and then poll it: a migration takes seconds to minutes, longer
 * than a client should hold a request open. Remembers the last state of each VM's latest migration.
 */
final class Migrations {
    /** The latest progress of a VM's migration, and the error that ended it if it failed. */
    record Status(String vm, String targetUri, MigrationProgress progress, Optional<ErrorBody> error) {
        Status with(MigrationProgress now) {
            return new Status(vm, targetUri, now, error);
        }
    }

    private static final Duration ACCEPT_WAIT = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

    private final VmService vms;
    private final Map<String, Status> latest = new ConcurrentHashMap<>();
    private final ExecutorService runner = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "quantix-rest-migration");
        t.setDaemon(true);
        return t;
    });

    Migrations(VmService vms) {
        this.vms = vms;
    }

    /**
     * Starts the migration in the background. Waits briefly for it to get going, so that what the service refuses
     * at once (no such VM, UNSUPPORTED, CONFLICT) is this request's error rather than a FAILED status to poll for.
     */
    Status start(String vm, MigrationSpec spec) {
        Status starting = new Status(vm, spec.targetUri(),
                new MigrationProgress(MigrationProgress.Phase.STARTING, 0, 0, 0, 0, 0, 0), Optional.empty());
        latest.compute(vm, (name, previous) -> {
            if (previous != null && !previous.progress().done()) {
                throw new QuantixException(ErrorCode.CONFLICT, "VM '" + vm + "' is already migrating");
            }
            return starting;
        });
        CompletableFuture<Void> accepted = new CompletableFuture<>();
        runner.execute(() -> {
            try {
                MigrationProgress last = vms.migrate(vm, spec, p -> {
                    latest.put(vm, starting.with(p));
                    accepted.complete(null);
                });
                latest.put(vm, starting.with(last));
                accepted.complete(null);
            } catch (RuntimeException failure) {
                QuantixException e = failure instanceof QuantixException q ? q
                        : new QuantixException(ErrorCode.INTERNAL, "the migration failed: " + failure, failure);
                if (e.code() == ErrorCode.INTERNAL) {
                    LOG.error("migration of VM {} failed", vm, failure);
                }
                if (accepted.completeExceptionally(e)) {
                    latest.remove(vm, starting);
                } else {
                    latest.put(vm, new Status(vm, spec.targetUri(),
                            new MigrationProgress(MigrationProgress.Phase.FAILED, 0, 0, 0, 0, 0, 0),
                            Optional.of(new ErrorBody(e.code().name(), e.getMessage(), Map.of()))));
                }
            }
        });
        try {
            accepted.get(ACCEPT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            accepted.complete(null); // a no-op when the migration failed at once: join() below throws that
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            accepted.complete(null);
        }
        try {
            accepted.join();
        } catch (CompletionException e) {
            throw (QuantixException) e.getCause();
        }
        return latest.getOrDefault(vm, starting);
    }

    Status status(String vm) {
        return Optional.ofNullable(latest.get(vm))
                .orElseThrow(() -> new QuantixException(ErrorCode.NOT_FOUND, "VM '" + vm + "' has no migration"));
    }

    void close() {
        runner.shutdownNow();
        try {
            runner.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
