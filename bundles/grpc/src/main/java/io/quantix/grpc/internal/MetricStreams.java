package io.quantix.grpc.internal;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.service.VmService;
import io.quantix.proto.node.v1.StreamMetricsRequest;
import io.quantix.proto.node.v1.VMMetrics;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code StreamMetrics}: samples the named VMs (or every running one) at a fixed interval. A sample the client
 * has not taken yet is not queued: the next one replaces it, so a slow client only sees fewer samples.
 */
final class MetricStreams {
    static final int DEFAULT_INTERVAL_SECONDS = 5;

    private final VmService vms;
    private final OpenStreams streams;
    private final ScheduledExecutorService timer;

    MetricStreams(VmService vms, OpenStreams streams, ScheduledExecutorService timer) {
        this.vms = vms;
        this.streams = streams;
        this.timer = timer;
    }

    void open(StreamMetricsRequest request, String token, ServerCallStreamObserver<VMMetrics> out) {
        List<String> names = request.getVmsList().stream().map(n -> Validation.name("VM", n)).toList();
        int interval = request.getIntervalSeconds() == 0 ? DEFAULT_INTERVAL_SECONDS
                : (int) Validation.range("interval_seconds", request.getIntervalSeconds(), 1, 3600);
        names.forEach(vms::get); // NOT_FOUND now rather than in the first sample
        Sampler sampler = new Sampler(names, token, out);
        streams.add(sampler);
        out.setOnCancelHandler(() -> {
            sampler.stop();
            streams.remove(sampler);
        });
        sampler.start(interval);
    }

    private final class Sampler implements OpenStreams.Stream {
        private final List<String> names;
        private final String token;
        private final ServerCallStreamObserver<VMMetrics> out;
        private ScheduledFuture<?> task;
        private boolean ended;

        Sampler(List<String> names, String token, ServerCallStreamObserver<VMMetrics> out) {
            this.names = names;
            this.token = token;
            this.out = out;
        }

        synchronized void start(int intervalSeconds) {
            task = timer.scheduleAtFixedRate(this::sample, 0, intervalSeconds, TimeUnit.SECONDS);
        }

        private void sample() {
            List<String> targets = names.isEmpty()
                    ? vms.list().stream().filter(vm -> vm.state() == PowerState.RUNNING).map(Vm::name).toList()
                    : names;
            for (String name : targets) {
                VMMetrics metrics;
                try {
                    metrics = Protos.metrics(vms.metrics(name));
                } catch (QuantixException e) {
                    if (names.isEmpty()) {
                        continue; // it stopped or went away since the list was taken
                    }
                    streams.remove(this);
                    end(ErrorMapping.status(e));
                    return;
                } catch (RuntimeException e) {
                    streams.remove(this);
                    end(ErrorMapping.toStatus(e, "StreamMetrics"));
                    return;
                }
                synchronized (this) {
                    if (ended) {
                        return;
                    }
                    if (out.isReady()) {
                        out.onNext(metrics);
                    }
                }
            }
        }

        synchronized void stop() {
            ended = true;
            if (task != null) {
                task.cancel(false);
            }
        }

        @Override
        public String token() {
            return token;
        }

        @Override
        public synchronized void end(StatusRuntimeException status) {
            if (!ended) {
                stop();
                out.onError(status);
            }
        }
    }
}
