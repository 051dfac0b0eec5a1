package io.quantix.metrics.internal;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import io.quantix.api.ErrorCode;
import io.quantix.api.HistoryRange;
import io.quantix.api.MetricsHistory;
import io.quantix.api.QuantixException;
import io.quantix.api.ScrapeToken;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.service.MetricsService;
import io.quantix.api.service.NodeService;
import io.quantix.api.service.StorageService;
import io.quantix.api.service.VmService;
import io.quantix.api.spi.Backend;
import io.quantix.api.spi.HypervisorBackend;
import io.quantix.api.spi.NodeDirectories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's {@link MetricsService}: one scheduler thread samples every 5 s ({@link Sampler}); scrapes render the
 * latest sample, the history serves copies of its rings; the history is written every few minutes and on stop, and
 * read back at start.
 */
@Component(service = MetricsService.class, configurationPid = MetricsComponent.PID, immediate = true)
@Designate(ocd = MetricsComponent.Config.class)
public class MetricsComponent implements MetricsService {
    static final String PID = "io.quantix.metrics";
    private static final Logger LOG = LoggerFactory.getLogger(MetricsComponent.class);

    @ObjectClassDefinition(id = PID, name = "Quantix metrics")
    @interface Config {
        @AttributeDefinition(description = "VMs with a history of the last hour at 5 s, at most (8.8 KB each)", min = "0")
        int hourHistoryVms() default 1000;

        @AttributeDefinition(description = "VMs with a history of the last 24 h at 1 min, at most (17.4 KB each)", min = "0")
        int dayHistoryVms() default 1000;

        @AttributeDefinition(description = "Minutes between writes of the history to the data directory", min = "1")
        int persistMinutes() default 5;
    }

    private final Map<String, HypervisorBackend> backends = new ConcurrentHashMap<>();
    private final VmService vms;
    private final History history;
    private final Path historyFile;
    private final ScrapeTokens tokens;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram latency;
    private final Sampler sampler;
    private final ScheduledExecutorService scheduler;
    private volatile Sample latest;

    @Activate
    public MetricsComponent(@Reference VmService vms, @Reference StorageService storage, @Reference NodeService node,
            Config config) throws IOException {
        this.vms = vms;
        Path dir = NodeDirectories.data().resolve("metrics");
        history = new History(config.hourHistoryVms(), config.dayHistoryVms());
        historyFile = dir.resolve("history.bin");
        load(history, historyFile);
        tokens = new ScrapeTokens(dir.resolve("scrape-tokens.properties"), Clock.systemUTC());
        String nodeName = node.info().name();
        latest = Sample.empty(nodeName);
        latency = Histogram.builder().name("quantix_api_request_duration_seconds")
                .help("Time the node's APIs took to answer, by API, route template or gRPC method, and status")
                .labelNames("api", "method", "code").constLabels(Labels.of("node", nodeName))
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                .classicOnly().register(registry);
        sampler = new Sampler(vms, storage, node, backends, history);
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "quantix-metrics-sampler");
            t.setDaemon(true);
            return t;
        });
        long step = HistoryRange.HOUR.step().toMillis();
        // on the 5 s grid, so that each sample falls in its own step of the history
        scheduler.scheduleAtFixedRate(this::sampleSafely, step - System.currentTimeMillis() % step, step,
                TimeUnit.MILLISECONDS);
        long persist = TimeUnit.MINUTES.toMillis(config.persistMinutes());
        scheduler.scheduleWithFixedDelay(this::saveSafely, persist, persist, TimeUnit.MILLISECONDS);
        LOG.info("metrics: history of {} ({} of at most {} bytes), sampling every {} s", historyFile,
                history.bytes(), history.maxBytes(), step / 1000);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindBackend(HypervisorBackend backend, Map<String, Object> properties) {
        backends.put(String.valueOf(properties.get(Backend.PROPERTY)), backend);
    }

    void unbindBackend(HypervisorBackend backend, Map<String, Object> properties) {
        backends.remove(String.valueOf(properties.get(Backend.PROPERTY)), backend);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        scheduler.shutdownNow();
        if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
            LOG.warn("the metrics sampler did not stop within 30 s");
        }
        saveSafely();
    }

    /** Reads the saved history; a file that is not one is moved aside (kept for a look) and the history starts empty. */
    static void load(History history, Path file) {
        try {
            history.load(file);
        } catch (NoSuchFileException e) {
            LOG.info("no metrics history yet at {}", file);
        } catch (IOException | RuntimeException e) {
            Path aside = file.resolveSibling(file.getFileName() + ".unreadable");
            LOG.warn("metrics history {} cannot be read ({}): moved to {}, starting empty", file, e.getMessage(), aside);
            try {
                Files.move(file, aside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveFailed) {
                LOG.warn("cannot move {} aside: {}", file, moveFailed.getMessage());
            }
        }
    }

    private void sampleSafely() {
        try {
            latest = sampler.sample(Instant.now());
        } catch (RuntimeException e) {
            LOG.warn("metrics sample failed: {}", e.toString());
        }
    }

    private void saveSafely() {
        try {
            history.save(historyFile);
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot write the metrics history {}: {}", historyFile, e.toString());
        }
    }

    @Override
    public MetricsHistory nodeHistory(HistoryRange range) {
        return history.read(RingStore.NODE_KEY, RingStore.NODE_KEY, range, History.NODE_SERIES,
                Instant.now().getEpochSecond());
    }

    @Override
    public MetricsHistory vmHistory(String vm, HistoryRange range) {
        Vm found = vms.get(Validation.name("VM", vm));
        return history.read(found.id(), found.name(), range, History.VM_SERIES, Instant.now().getEpochSecond());
    }

    @Override
    public String scrape(String scrapeToken) {
        if (!tokens.valid(scrapeToken)) {
            throw new QuantixException(ErrorCode.UNAUTHENTICATED, "a valid scrape token is required: create one with"
                    + " qx:metrics-token-create or POST /api/v1/metrics/tokens");
        }
        return Exposition.render(latest, registry.scrape());
    }

    @Override
    public ScrapeToken createScrapeToken(String description) {
        return tokens.create(description);
    }

    @Override
    public List<ScrapeToken> scrapeTokens() {
        return tokens.list();
    }

    @Override
    public void revokeScrapeToken(String id) {
        tokens.revoke(id);
    }

    @Override
    public void recordRequest(String api, String method, String code, long nanos) {
        latency.labelValues(api, method, code).observe(nanos / 1e9);
    }
}
