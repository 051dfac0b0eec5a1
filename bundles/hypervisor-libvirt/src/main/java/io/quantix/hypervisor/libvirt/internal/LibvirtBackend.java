package io.quantix.hypervisor.libvirt.internal;

import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.Capability;
import io.quantix.api.ConsoleEndpoint;
import io.quantix.api.ConsoleType;
import io.quantix.api.DiskCounters;
import io.quantix.api.DiskSource;
import io.quantix.api.ErrorCode;
import io.quantix.api.MigrationProgress;
import io.quantix.api.MigrationSpec;
import io.quantix.api.NicCounters;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixEvent;
import io.quantix.api.QuantixException;
import io.quantix.api.Snapshot;
import io.quantix.api.SnapshotSpec;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeRef;
import io.quantix.api.spi.Backend;
import io.quantix.api.spi.DefineOptions;
import io.quantix.api.spi.HypervisorBackend;
import io.quantix.api.spi.NodeDirectories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainBlockStats;
import org.libvirt.DomainInfo;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.DomainInterfaceStats;
import org.libvirt.DomainSnapshot;
import org.libvirt.Error;
import org.libvirt.ErrorCallback;
import org.libvirt.LibvirtException;
import org.libvirt.VcpuInfo;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Quantix VMs as libvirt domains over one connection per activation. libvirt-java objects are not
 * documented as thread-safe, so every call into libvirt holds this object's lock.
 */
@Component(service = HypervisorBackend.class, property = Backend.PROPERTY + "=" + LibvirtBackend.NAME,
        configurationPid = LibvirtBackend.PID)
@Designate(ocd = LibvirtBackend.Config.class)
public class LibvirtBackend implements HypervisorBackend {
    static final String NAME = "libvirt";
    static final String PID = "io.quantix.hypervisor.libvirt";

    private static final Logger LOG = LoggerFactory.getLogger(LibvirtBackend.class);
    private static final Path KVM_DEVICE = Path.of("/dev/kvm");
    private static final Path LIBVIRTD_SOCKET = Path.of("/run/libvirt/libvirt-sock");
    /** Where libvirt's QEMU driver finds firmware descriptors; without one, {@code firmware='efi'} cannot resolve. */
    private static final Path QEMU_FIRMWARE_DESCRIPTORS = Path.of("/usr/share/qemu/firmware");
    /**
     * libvirt prints every error to stderr unless an error callback is set, and "no such domain" is a normal
     * answer here. Errors still reach us as LibvirtException. Held in a field so JNA's callback stays reachable.
     */
    private static final ErrorCallback SILENT = new ErrorCallback();
    /** VIR_DOMAIN_UNDEFINE_NVRAM: libvirt-java 0.5.4 has no constant for it. */
    private static final int UNDEFINE_NVRAM = 4;
    /** The power actions whose state change libvirt reports at once, and how long one waits for that event. */
    private static final Set<PowerAction> REPORTED = EnumSet.of(PowerAction.START, PowerAction.FORCE_STOP,
            PowerAction.PAUSE, PowerAction.RESUME);
    private static final Duration EVENT_WAIT = Duration.ofSeconds(5);
    static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);
    static final String AUTO = "auto";

    @ObjectClassDefinition(id = PID, name = "Quantix libvirt hypervisor backend")
    @interface Config {
        @AttributeDefinition(description = "libvirt connection URI. Empty: qemu:///system if the host has /dev/kvm"
                + " and libvirtd runs, else a SIMULATED node on libvirt's test driver, kept in the node's data"
                + " directory. test:///<file> simulates on that file.")
        String uri() default "";

        @AttributeDefinition(description = "Seconds a VM gets to power itself off after a graceful shutdown"
                + " (ACPI power button) before it is forcibly stopped.", min = "1")
        int shutdownTimeoutSeconds() default 60;

        @AttributeDefinition(description = "libvirt domain type of QEMU guests: kvm, qemu (TCG emulation, slow) or"
                + " auto: kvm when QEMU's unprivileged user can use /dev/kvm, else qemu.",
                options = {@Option(value = "auto"), @Option(value = "kvm"), @Option(value = "qemu")})
        String virtType() default AUTO;
    }

    private Connect connect;
    private ConnectionTarget target;
    /** The simulated node's state file, on the test driver only. */
    private Optional<TestNodeFile> testNode = Optional.empty();
    private DomainXml.Type domainType;
    private Set<Capability> capabilities;
    /** Where VM sockets and serial logs live: the node's data directory, so they follow its configuration. */
    private Path runDir;
    private Duration shutdownTimeout;
    /** Runs the force-stop fallback of graceful shutdowns, so power() itself never waits on a guest. */
    private ScheduledExecutorService fallbacks;
    /** Lifecycle events and the reconnect after libvirtd restarts; lives as long as the activation. */
    private LibvirtEvents events;
    private final LibvirtMigration migrations = new LibvirtMigration();

    @Activate
    void activate(Config config) {
        boolean kvm = Files.exists(KVM_DEVICE);
        boolean libvirtd = Files.exists(LIBVIRTD_SOCKET);
        if (kvm && !libvirtd && config.uri().isBlank()) {
            LOG.warn("/dev/kvm exists but libvirtd is not running ({} missing): falling back to a SIMULATED node",
                    LIBVIRTD_SOCKET);
        }
        open(ConnectionTarget.resolve(config.uri(), kvm && libvirtd, NodeDirectories.data()),
                Duration.ofSeconds(config.shutdownTimeoutSeconds()), config.virtType());
    }

    /** Opens the connection; tests call this directly, without OSGi. */
    void open(ConnectionTarget newTarget) {
        open(newTarget, DEFAULT_SHUTDOWN_TIMEOUT, AUTO);
    }

    synchronized void open(ConnectionTarget newTarget, Duration newShutdownTimeout, String virtType) {
        Optional<TestNodeFile> newTestNode = newTarget.nodeFile().map(f -> new TestNodeFile(f, this::testNodeEntries));
        try {
            Connect.setErrorCallback(SILENT);
            LibvirtEventLoop.acquire();
        } catch (LibvirtException e) {
            throw LibvirtErrors.map(e, null);
        }
        LibvirtEvents newEvents = new LibvirtEvents(this::reopen);
        try {
            Connect opened = new Connect(newTarget.uri(), false);
            try {
                domainType = domainType(opened.getType(), virtType);
                newEvents.attach(opened);
            } catch (QuantixException | LibvirtException e) {
                opened.close();
                throw e;
            }
            connect = opened;
        } catch (LibvirtException | QuantixException e) {
            newEvents.close();
            LibvirtEventLoop.release();
            throw e instanceof LibvirtException le ? LibvirtErrors.map(le, null) : (QuantixException) e;
        }
        events = newEvents;
        target = newTarget;
        testNode = newTestNode;
        capabilities = capabilities(domainType);
        runDir = NodeDirectories.data().resolve("run");
        shutdownTimeout = newShutdownTimeout;
        fallbacks = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "quantix-libvirt-shutdown-fallback");
            thread.setDaemon(true);
            return thread;
        });
        if (target.simulated()) {
            LOG.warn("libvirt backend on {}: SIMULATED node (libvirt test driver); VMs are not real guests", target.uri());
        } else {
            LOG.info("libvirt backend on {} (domain type {})", target.uri(), domainType.id());
        }
    }

    @Deactivate
    synchronized void close() {
        if (connect == null) {
            return;
        }
        fallbacks.shutdownNow();
        events.close();
        try {
            // a clean stop leaves the whole state in the file
            testNode.ifPresent(TestNodeFile::flush);
        } catch (QuantixException e) {
            LOG.error("saving the simulated node's state failed; its journal keeps the changes: {}", e.getMessage());
        }
        testNode = Optional.empty();
        events.detach(connect);
        try {
            connect.close();
        } catch (LibvirtException e) {
            LOG.warn("closing the libvirt connection to {} failed: {}", target.uri(), e.getMessage());
        }
        connect = null;
        LibvirtEventLoop.release();
        try {
            // libvirt must not call into this bundle's classes once they may be gone.
            Connect.setErrorCallback(null);
        } catch (LibvirtException e) {
            LOG.debug("resetting libvirt's error callback failed: {}", e.getMessage());
        }
    }

    /**
     * Replaces the connection after libvirtd closed it (see {@link LibvirtEvents}); empty once the backend is
     * closed. Calls made while libvirtd is away fail with BACKEND_ERROR; the ones after this succeed again.
     */
    private synchronized Optional<Connect> reopen() throws LibvirtException {
        if (connect == null) {
            return Optional.empty();
        }
        Connect fresh = new Connect(target.uri(), false);
        try {
            events.attach(fresh);
        } catch (LibvirtException e) {
            fresh.close();
            throw e;
        }
        Connect dead = connect;
        connect = fresh;
        events.detach(dead);
        try {
            dead.close();
        } catch (LibvirtException e) {
            LOG.debug("releasing the closed libvirt connection failed: {}", e.getMessage());
        }
        return Optional.of(fresh);
    }

    @Override
    public void addListener(Consumer<QuantixEvent> listener) {
        currentEvents().addListener(listener);
    }

    @Override
    public void removeListener(Consumer<QuantixEvent> listener) {
        currentEvents().removeListener(listener);
    }

    private synchronized LibvirtEvents currentEvents() {
        connection();
        return events;
    }

    @Override
    public synchronized ConsoleEndpoint console(String name, ConsoleType type) {
        Validation.required("console type", type);
        connection();
        if (!capabilities.contains(Capability.CONSOLE)) {
            throw new QuantixException(ErrorCode.UNSUPPORTED, "the simulated libvirt node has no consoles");
        }
        try {
            Domain domain = require(name);
            ConsoleEndpoint endpoint = LibvirtConsoles.open(domain, name, type,
                    DomainXml.serialLog(runDir, domain.getUUIDString()));
            // The endpoint's toString leaves the password out.
            LOG.info("VM '{}': console {}", name, endpoint);
            return endpoint;
        } catch (LibvirtException e) {
            throw LibvirtErrors.map(e, name);
        }
    }

    @Override
    public synchronized Set<Capability> capabilities() {
        connection();
        return capabilities;
    }

    @Override
    public synchronized String description() {
        connection();
        return target.simulated()
                ? "libvirt " + target.uri() + " (SIMULATED: libvirt test driver, VMs are not real guests)"
                : "libvirt " + target.uri() + " (" + domainType.id() + ")";
    }

    @Override
    public synchronized boolean simulated() {
        connection();
        return target.simulated();
    }

    @Override
    public Vm define(String id, VmSpec spec, List<AttachedDisk> disks, List<AttachedNic> nics) {
        return define(id, spec, disks, nics, DefineOptions.NONE);
    }

    @Override
    public synchronized Vm define(String id, VmSpec spec, List<AttachedDisk> disks, List<AttachedNic> nics,
            DefineOptions options) {
        Validation.required("VM spec", spec);
        if (!NAME.equals(spec.hypervisor())) {
            throw QuantixException.invalid("VM '" + spec.name() + "' asks for hypervisor backend '"
                    + spec.hypervisor() + "', not '" + NAME + "'");
        }
        String built = DomainXml.build(id, spec, Validation.list("disks", disks), Validation.list("NICs", nics),
                domainType, runDir);
        String xml = options.cloudInitSeed().map(seed -> SeedDrive.attach(built, seed)).orElse(built);
        try {
            if (lookup(spec.name()).isPresent()) {
                throw QuantixException.alreadyExists("VM", spec.name());
            }
            if (lookupById(id).isPresent()) {
                throw QuantixException.alreadyExists("VM with id", id);
            }
            defineSecrets(disks.stream().map(AttachedDisk::source).toList());
            Domain domain = connection().domainDefineXML(xml);
            saveTestNode(spec.name());
            LOG.info("defined VM '{}' ({})", spec.name(), id);
            return toVm(domain).orElseThrow(() -> new QuantixException(ErrorCode.INTERNAL,
                    "libvirt dropped the Quantix metadata of VM '" + spec.name() + "'"));
        } catch (LibvirtException e) {
            throw LibvirtErrors.map(e, spec.name());
        }
    }

    @Override
    public synchronized List<Vm> list() {
        try {
            List<Vm> vms = new ArrayList<>();
            for (Domain domain : connection().listAllDomains(0)) {
                toVm(domain).ifPresent(vms::add);
            }
            return vms;
        } catch (LibvirtException e) {
            throw LibvirtErrors.map(e, null);
        }
    }

    @Override
    public synchronized Optional<Vm> find(String name) {
        try {
            Optional<Domain> domain = lookup(name);
            return domain.isEmpty() ? Optional.empty() : toVm(domain.get());
        } catch (LibvirtException e) {
            throw LibvirtErrors.map(e, name);
        }
    }

    @Override
    public void power(String name, PowerAction action) {
        Validation.required("power action", action);
        String uuid;
        long eventsSoFar;
        LibvirtEvents reporter;
        synchronized (this) {
            try {
                Domain domain = require(name);
                uuid = domain.getUUIDString();
                reporter = events;
                eventsSoFar = reporter.deliveredSoFar(uuid);
                act(name, domain, action);
            } catch (LibvirtException e) {
                throw LibvirtErrors.map(e, name);
            }
        }
        // Outside the lock: the event thread does not need it, but other calls should not wait behind this one.
        if (REPORTED.contains(action) && !reporter.awaitNext(uuid, eventsSoFar, EVENT_WAIT)) {
            LOG.debug("VM '{}': no lifecycle event for {} within {}", name, action, EVENT_WAIT);
        }
    }

    private void act(String name, Domain domain, PowerAction action) throws LibvirtException {
        PowerState state = powerState(domain);
        // libvirt's test driver accepts some of these in any state; checking first gives every driver one behaviour.
        if (!allowedFrom(action).contains(state)) {
            throw new QuantixException(ErrorCode.CONFLICT, "cannot " + action.name().toLowerCase(Locale.ROOT)
                    .replace('_', ' ') + " VM '" + name + "': it is " + state.name().toLowerCase(Locale.ROOT));
        }
        switch (action) {
            case START -> {
                createRunDir();
                domain.create();
            }
            case SHUTDOWN -> {
                domain.shutdown();
                scheduleFallback(name, domain.getUUIDString(), domain.getID());
            }
            case FORCE_STOP -> domain.destroy();
            case REBOOT -> domain.reboot(0);
            case PAUSE -> domain.suspend();
            case RESUME -> domain.resume();
        }
        saveTestNode(name);
        LOG.info("VM '{}': {}", name, action);
    }

    @Override
    public synchronized void undefine(String name) {
        try {
            Domain domain = require(name);
            // libvirt would undefine a running domain and leave it running as a transient one.
            if (domain.isActive() == 1) {
                throw new QuantixException(ErrorCode.CONFLICT, "VM '" + name + "' is " + powerState(domain)
                        .name().toLowerCase(Locale.ROOT) + ": stop it before deleting it");
            }
            // The UEFI variable store belongs to the VM; only the QEMU driver has one (the test driver refuses the flag).
            String id = domain.getUUIDString();
            // Snapshots go with the VM (libvirt refuses otherwise); internal ones live in its disks anyway.
            domain.undefine(Domain.UndefineFlags.SNAPSHOTS_METADATA
                    | (domainType == DomainXml.Type.TEST ? 0 : UNDEFINE_NVRAM));
            saveTestNode(name);
            deleteSerialLog(id);
            LOG.info("undefined VM '{}'", name);
        } catch (LibvirtException e) {
            throw LibvirtErrors.map(e, name);
        }
    }

    // Snapshots and hot-plug: the work is in LibvirtSnapshots and LibvirtHotplug.

    @Override
    public synchronized Snapshot snapshot(String name, SnapshotSpec spec) {
        Validation.required("snapshot spec", spec);
        return change(name, domain -> LibvirtSnapshots.create(domain, spec, powerState(domain), domainType));
    }

    @Override
    public synchronized List<Snapshot> snapshots(String name) {
        try {
            return LibvirtSnapshots.list(require(name));
        } catch (LibvirtException e) {
            throw LibvirtErrors.map(e, name);
        }
    }

    @Override
    public synchronized void revert(String name, String snapshot) {
        Validation.name("snapshot", snapshot);
        change(name, domain -> {
            LibvirtSnapshots.revert(domain, snapshot);
            return null;
        });
    }

    @Override
    public synchronized void deleteSnapshot(String name, String snapshot) {
        Validation.name("snapshot", snapshot);
        change(name, domain -> {
            LibvirtSnapshots.delete(domain, snapshot);
            return null;
        });
    }

    @Override
    public synchronized void attachDisk(String name, AttachedDisk disk) {
        Validation.required("disk", disk);
        hotplug(name, domain -> {
            defineSecrets(List.of(disk.source()));
            LibvirtHotplug.attachDisk(domain, disk);
        });
    }

    /** libvirt's test driver has no secret store, and runs no guest that would need one. */
    private void defineSecrets(List<DiskSource> sources) throws LibvirtException {
        if (domainType != DomainXml.Type.TEST) {
            NetworkDisks.defineSecrets(connection(), sources);
        }
    }

    @Override
    public synchronized void detachDisk(String name, VolumeRef volume) {
        Validation.required("volume", volume);
        hotplug(name, domain -> LibvirtHotplug.detachDisk(domain, volume));
    }

    @Override
    public synchronized void attachNic(String name, AttachedNic nic) {
        Validation.required("NIC", nic);
        hotplug(name, domain -> LibvirtHotplug.attachNic(domain, nic));
    }

    @Override
    public synchronized void detachNic(String name, String portId) {
        Validation.name("port", portId);
        hotplug(name, domain -> LibvirtHotplug.detachNic(domain, portId));
    }

    @Override
    public synchronized void changeMedia(String name, Optional<String> isoPath) {
        Optional<DiskSource> iso = Validation.required("ISO path", isoPath).map(DiskSource.File::new);
        hotplug(name, domain -> LibvirtHotplug.changeMedia(domain, iso));
    }

    @Override
    public synchronized void changeMedia(String name, DiskSource iso) {
        Validation.required("ISO image", iso);
        hotplug(name, domain -> {
            defineSecrets(List.of(iso));
            LibvirtHotplug.changeMedia(domain, Optional.of(iso));
        });
    }

    @Override
    public synchronized void resizeDisk(String name, VolumeRef volume, long newSizeBytes) {
        Validation.required("volume", volume);
        Validation.range("disk size (bytes)", newSizeBytes, Validation.MIB, Validation.MAX_VOLUME_BYTES);
        hotplug(name, domain -> LibvirtHotplug.resizeDisk(domain, volume, newSizeBytes));
    }

    /** Not a device change: the test driver keeps metadata too. */
    @Override
    public synchronized void updateTags(String name, Set<String> tags) {
        Set<String> valid = Validation.tags(tags);
        change(name, domain -> {
            LibvirtHotplug.setTags(domain, valid);
            return null;
        });
    }

    /** libvirt's test driver has no device hot-plug at all. */
    private void hotplug(String name, DomainAction action) {
        if (domainType == DomainXml.Type.TEST) {
            throw new QuantixException(ErrorCode.UNSUPPORTED, "libvirt's test driver cannot hot-plug devices");
        }
        change(name, domain -> {
            action.run(domain);
            return null;
        });
    }

    private <T> T change(String name, DomainCall<T> call) {
        try {
            T result = call.run(require(name));
            saveTestNode(name);
            return result;
        } catch (LibvirtException e) {
            throw LibvirtErrors.map(e, name);
        }
    }

    @FunctionalInterface
    private interface DomainCall<T> {
        T run(Domain domain) throws LibvirtException;
    }

    @FunctionalInterface
    private interface DomainAction {
        void run(Domain domain) throws LibvirtException;
    }

    @Override
    public synchronized boolean autostart(String name) {
        requireCapability(Capability.AUTOSTART, "cannot start VMs when the node starts");
        try {
            return require(name).getAutostart();
        } catch (LibvirtException e) {
            throw LibvirtErrors.map(e, name);
        }
    }

    /** libvirtd starts the VM when it starts itself: with the node, before Quantix runs. */
    @Override
    public synchronized void setAutostart(String name, boolean enabled) {
        requireCapability(Capability.AUTOSTART, "cannot start VMs when the node starts");
        change(name, domain -> {
            domain.setAutostart(enabled);
            LOG.info("VM '{}': autostart {}", name, enabled ? "on" : "off");
            return null;
        });
    }

    /** Not synchronized: a migration takes seconds, and the backend must answer other calls meanwhile. */
    @Override
    public MigrationProgress migrate(String name, MigrationSpec spec, Consumer<MigrationProgress> progress) {
        Validation.required("migration", spec);
        Validation.required("progress listener", progress);
        Domain domain;
        boolean live;
        synchronized (this) {
            requireCapability(Capability.LIVE_MIGRATION, "cannot migrate VMs");
            try {
                domain = require(name);
                live = domain.isActive() == 1;
            } catch (LibvirtException e) {
                throw LibvirtErrors.map(e, name);
            }
        }
        if (live && !spec.live()) {
            throw new QuantixException(ErrorCode.CONFLICT, "VM '" + name + "' is running: migrate it live or stop it first");
        }
        return migrations.migrate(name, domain, live, spec, progress);
    }

    @Override
    public void cancelMigration(String name) {
        Validation.name("VM", name);
        synchronized (this) {
            requireCapability(Capability.LIVE_MIGRATION, "cannot migrate VMs");
        }
        migrations.cancel(name);
    }

    private void requireCapability(Capability capability, String what) {
        if (!capabilities().contains(capability)) {
            throw new QuantixException(ErrorCode.UNSUPPORTED, "libvirt's test driver " + what);
        }
    }

    @Override
    public synchronized List<String> unmanaged() {
        try {
            List<String> names = new ArrayList<>();
            for (Domain domain : connection().listAllDomains(0)) {
                if (toVm(domain).isEmpty()) {
                    names.add(domain.getName());
                }
            }
            names.sort(null);
            return List.copyOf(names);
        } catch (LibvirtException e) {
            throw LibvirtErrors.map(e, null);
        }
    }

    @Override
    public synchronized VmMetrics metrics(String name) {
        try {
            Domain domain = require(name);
            String xml = domain.getXMLDesc(0);
            Vm vm = DomainXml.parse(xml, powerState(domain)).orElseThrow(() -> QuantixException.notFound("VM", name));
            boolean active = domain.isActive() == 1;
            // vCPU threads (and their counters) exist only while the guest runs. Read before the domain's total,
            // which then has counted at least as much; the max below covers the two coming from different
            // clocks (per-thread ticks, or the cgroup's nanoseconds where libvirt has a cgroup).
            long guest = active ? guestCpuNanos(domain) : 0;
            DomainInfo info = domain.getInfo();
            List<DiskCounters> disks = new ArrayList<>();
            List<NicCounters> nics = new ArrayList<>();
            // Device counters exist only while the guest runs.
            if (active) {
                for (String disk : DomainXml.diskTargets(vm.disks())) {
                    DomainBlockStats stats = blockStats(domain, disk);
                    if (stats != null) {
                        disks.add(new DiskCounters(disk, stats.rd_bytes, stats.wr_bytes, stats.rd_req, stats.wr_req));
                    }
                }
                Map<String, String> devices = DomainXml.interfaceDevices(xml);
                for (AttachedNic nic : vm.nics()) {
                    DomainInterfaceStats stats = interfaceStats(domain, nic.mac());
                    if (stats != null) {
                        nics.add(new NicCounters(devices.getOrDefault(nic.mac().toLowerCase(Locale.ROOT), nic.mac()),
                                stats.rx_bytes, stats.tx_bytes, stats.rx_packets, stats.tx_packets));
                    }
                }
            }
            return VmMetrics.of(name, Instant.now(), guest, Math.max(guest, info.cpuTime), info.nrVirtCpu,
                    info.memory * Validation.KIB, disks, nics);
        } catch (LibvirtException e) {
            throw LibvirtErrors.map(e, name);
        }
    }

    /**
     * The same counters as {@link #metrics(String)} for every VM asked for, from one virConnectGetAllDomainStats
     * call instead of 2 + vCPUs + disks + NICs calls per VM. libvirt's test driver answers that call with the state
     * group only (libvirt 9.0), so the simulated node asks per domain.
     */
    @Override
    public synchronized Map<String, VmMetrics> metricsAll(Collection<Vm> vms) {
        if (domainType == DomainXml.Type.TEST) {
            return HypervisorBackend.super.metricsAll(vms);
        }
        Map<String, Map<String, Object>> stats = BulkStats.all(connection());
        Instant at = Instant.now();
        Map<String, VmMetrics> all = new HashMap<>();
        for (Vm vm : vms) {
            Map<String, Object> domain = stats.get(vm.name());
            if (domain != null) {
                all.put(vm.name(), bulkMetrics(vm, domain, at));
            }
        }
        return all;
    }

    /** {@code VIR_DOMAIN_*} states of a domain that has a running QEMU: RUNNING, BLOCKED, PAUSED, SHUTDOWN, PMSUSPENDED. */
    private static final Set<Long> ACTIVE_STATES = Set.of(1L, 2L, 3L, 4L, 7L);

    /**
     * One domain's typed parameters as {@link #metrics(String)} reports them: Quantix's disks only, every NIC.
     * Counters are read only while the domain is active: libvirt 9.0 reports a {@code cpu.time} for a domain that
     * never ran (measured: 0.96 s, apparently libvirtd's own process time), where virDomainGetInfo says 0.
     */
    private static VmMetrics bulkMetrics(Vm vm, Map<String, Object> p, Instant at) {
        long guest = 0;
        long total = 0;
        List<DiskCounters> disks = new ArrayList<>();
        List<NicCounters> nics = new ArrayList<>();
        if (ACTIVE_STATES.contains((Long) p.getOrDefault("state.state", 0L))) {
            for (long i = 0, n = count(p, "vcpu.maximum"); i < n; i++) {
                guest += count(p, "vcpu." + i + ".time");
            }
            total = Math.max(guest, count(p, "cpu.time"));
            Map<String, DiskCounters> blocks = new HashMap<>();
            for (long i = 0, n = count(p, "block.count"); i < n; i++) {
                String b = "block." + i + ".";
                if (p.get(b + "name") instanceof String name && p.containsKey(b + "rd.bytes")) {
                    blocks.put(name, new DiskCounters(name, count(p, b + "rd.bytes"), count(p, b + "wr.bytes"),
                            count(p, b + "rd.reqs"), count(p, b + "wr.reqs")));
                }
            }
            for (String target : DomainXml.diskTargets(vm.disks())) {
                if (blocks.containsKey(target)) {
                    disks.add(blocks.get(target));
                }
            }
            for (long i = 0, n = count(p, "net.count"); i < n; i++) {
                String b = "net." + i + ".";
                if (p.get(b + "name") instanceof String name && p.containsKey(b + "rx.bytes")) {
                    nics.add(new NicCounters(name, count(p, b + "rx.bytes"), count(p, b + "tx.bytes"),
                            count(p, b + "rx.pkts"), count(p, b + "tx.pkts")));
                }
            }
        }
        return VmMetrics.of(vm.name(), at, guest, total, (int) count(p, "vcpu.current"),
                count(p, "balloon.current") * Validation.KIB, disks, nics);
    }

    private static long count(Map<String, Object> params, String field) {
        return params.get(field) instanceof Long value ? value : 0;
    }

    /**
     * The guest's own CPU time: the sum over its vCPUs (virDomainGetVcpus). The domain's cpuTime (virDomainGetInfo)
     * is the whole QEMU process, whose I/O and main-loop threads run while the vCPUs are paused.
     */
    private static long guestCpuNanos(Domain domain) throws LibvirtException {
        VcpuInfo[] vcpus;
        try {
            vcpus = domain.getVcpusInfo();
        } catch (LibvirtException e) {
            // stopped since it was seen active: no vCPUs to count, the metrics of a stopped VM
            if (e.getError() != null && e.getError().getCode() == Error.ErrorNumber.VIR_ERR_OPERATION_INVALID
                    && domain.isActive() == 0) {
                return 0;
            }
            throw e;
        }
        long sum = 0;
        for (VcpuInfo vcpu : vcpus) {
            sum += vcpu.cpuTime;
        }
        return sum;
    }

    /**
     * After the timeout, force-stops the VM if the same run of it (libvirt's domain id changes with every
     * start) is still active: a guest that ignores the power button must not keep its host resources forever.
     */
    private void scheduleFallback(String name, String uuid, int runId) {
        fallbacks.schedule(() -> forceStopIfStillRunning(name, uuid, runId), shutdownTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private synchronized void forceStopIfStillRunning(String name, String uuid, int runId) {
        try {
            Optional<Domain> domain = lookupById(uuid);
            if (domain.isPresent() && domain.get().isActive() == 1 && domain.get().getID() == runId) {
                LOG.warn("VM '{}' did not power off within {} s of a graceful shutdown: forcing it off", name,
                        shutdownTimeout.toSeconds());
                domain.get().destroy();
                saveTestNode(name);
            }
        } catch (LibvirtException | QuantixException e) {
            LOG.error("force-stopping VM '{}' after its shutdown timeout failed: {}", name, e.getMessage());
        }
    }

    /** libvirt binds the VM's sockets and opens its serial log there, but does not create the directory. */
    private void createRunDir() {
        if (domainType == DomainXml.Type.TEST) {
            return;
        }
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "cannot create " + runDir + ": " + e.getMessage(), e);
        }
    }

    private void deleteSerialLog(String id) {
        try {
            Files.deleteIfExists(DomainXml.serialLog(runDir, id));
        } catch (IOException e) {
            LOG.warn("cannot delete the serial log of VM {}: {}", id, e.getMessage());
        }
    }

    /** Block counters of one disk, or null where the driver has none. */
    private static DomainBlockStats blockStats(Domain domain, String disk) throws LibvirtException {
        try {
            return domain.blockStats(disk);
        } catch (LibvirtException e) {
            if (LibvirtErrors.unsupported(e)) {
                return null;
            }
            throw e;
        }
    }

    /** Interface counters of one NIC, found by MAC since the host-side name changes with every start. */
    private static DomainInterfaceStats interfaceStats(Domain domain, String mac) throws LibvirtException {
        try {
            return domain.interfaceStats(mac);
        } catch (LibvirtException e) {
            if (LibvirtErrors.unsupported(e)) {
                return null;
            }
            throw e;
        }
    }

    private static Set<PowerState> allowedFrom(PowerAction action) {
        return switch (action) {
            case START -> EnumSet.of(PowerState.STOPPED, PowerState.CRASHED);
            case SHUTDOWN, REBOOT, PAUSE -> EnumSet.of(PowerState.RUNNING);
            case FORCE_STOP -> EnumSet.of(PowerState.RUNNING, PowerState.PAUSED, PowerState.SHUTTING_DOWN,
                    PowerState.CRASHED);
            case RESUME -> EnumSet.of(PowerState.PAUSED);
        };
    }

    private Connect connection() {
        if (connect == null) {
            throw QuantixException.backendUnavailable("hypervisor", NAME);
        }
        return connect;
    }

    /** A Quantix VM's domain; a domain without Quantix metadata is not ours and so is NOT_FOUND too. */
    private Domain require(String name) throws LibvirtException {
        Optional<Domain> domain = lookup(name);
        if (domain.isEmpty() || toVm(domain.get()).isEmpty()) {
            throw QuantixException.notFound("VM", name);
        }
        return domain.get();
    }

    private Optional<Domain> lookup(String name) throws LibvirtException {
        Validation.name("VM", name);
        try {
            return Optional.of(connection().domainLookupByName(name));
        } catch (LibvirtException e) {
            return absent(e);
        }
    }

    private Optional<Domain> lookupById(String id) throws LibvirtException {
        try {
            return Optional.of(connection().domainLookupByUUIDString(id));
        } catch (LibvirtException e) {
            return absent(e);
        }
    }

    private static Optional<Domain> absent(LibvirtException e) throws LibvirtException {
        if (LibvirtErrors.map(e, null).code() == ErrorCode.NOT_FOUND) {
            return Optional.empty();
        }
        throw e;
    }

    private Optional<Vm> toVm(Domain domain) throws LibvirtException {
        return DomainXml.parse(domain.getXMLDesc(0), powerState(domain));
    }

    private static PowerState powerState(Domain domain) throws LibvirtException {
        DomainState state = domain.getInfo().state;
        return switch (state) {
            case VIR_DOMAIN_RUNNING, VIR_DOMAIN_BLOCKED -> PowerState.RUNNING;
            case VIR_DOMAIN_PAUSED, VIR_DOMAIN_PMSUSPENDED -> PowerState.PAUSED;
            case VIR_DOMAIN_SHUTDOWN -> PowerState.SHUTTING_DOWN;
            case VIR_DOMAIN_SHUTOFF -> PowerState.STOPPED;
            case VIR_DOMAIN_CRASHED -> PowerState.CRASHED;
            // "No state" says nothing; whether the domain is active is the best answer left.
            case VIR_DOMAIN_NOSTATE -> domain.isActive() == 1 ? PowerState.RUNNING : PowerState.STOPPED;
        };
    }

    /** On the simulated node, records the domain's change in the node file (see {@link TestNodeFile}). */
    private void saveTestNode(String name) throws LibvirtException {
        if (testNode.isPresent()) {
            Optional<Domain> domain = lookup(name);
            testNode.get().changed(name, domain.isPresent() ? Optional.of(entry(domain.get())) : Optional.empty());
        }
    }

    /** Every domain of the simulated node, for a full write of its file. */
    private synchronized List<TestNodeFile.Entry> testNodeEntries() {
        try {
            List<TestNodeFile.Entry> entries = new ArrayList<>();
            for (Domain domain : connection().listAllDomains(0)) {
                entries.add(entry(domain));
            }
            return entries;
        } catch (LibvirtException e) {
            throw LibvirtErrors.map(e, null);
        }
    }

    private static TestNodeFile.Entry entry(Domain domain) throws LibvirtException {
        int runState = switch (powerState(domain)) {
            case RUNNING, SHUTTING_DOWN -> 1;
            case PAUSED -> 3;
            default -> 5;
        };
        return new TestNodeFile.Entry(domain.getXMLDesc(Domain.XMLFlags.INACTIVE), runState, snapshotsOf(domain));
    }

    private static List<TestNodeFile.SnapshotEntry> snapshotsOf(Domain domain) throws LibvirtException {
        String current = null;
        if (domain.hasCurrentSnapshot() == 1) {
            DomainSnapshot snapshot = domain.snapshotCurrent();
            current = LibvirtSnapshots.parse(snapshot.getXMLDesc()).snapshot().name();
            snapshot.free();
        }
        List<TestNodeFile.SnapshotEntry> entries = new ArrayList<>();
        for (String name : domain.snapshotListNames(0)) {
            DomainSnapshot snapshot = domain.snapshotLookupByName(name);
            try {
                entries.add(new TestNodeFile.SnapshotEntry(snapshot.getXMLDesc(), name.equals(current)));
            } finally {
                snapshot.free();
            }
        }
        return entries;
    }

    private static DomainXml.Type domainType(String driver, String virtType) {
        return switch (driver.toUpperCase(Locale.ROOT)) {
            case "TEST" -> DomainXml.Type.TEST;
            case "QEMU" -> switch (virtType) {
                case "kvm" -> DomainXml.Type.KVM;
                case "qemu" -> DomainXml.Type.QEMU;
                case AUTO -> kvmUsable() ? DomainXml.Type.KVM : DomainXml.Type.QEMU;
                default -> throw QuantixException.invalid("virtType " + Validation.quote(virtType)
                        + " is invalid: use auto, kvm or qemu");
            };
            default -> throw new QuantixException(ErrorCode.UNSUPPORTED,
                    "libvirt driver '" + driver + "' is not supported: use a qemu:// or test:// URI");
        };
    }

    /**
     * QEMU runs as an unprivileged user, so /dev/kvm must be open to its group (kvm, as distributions set it up)
     * or to everyone. A root-only device (some containers) is visible to libvirtd but fails every KVM start.
     */
    private static boolean kvmUsable() {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(KVM_DEVICE);
            return mode.containsAll(Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE))
                    || mode.containsAll(Set.of(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE));
        } catch (IOException e) {
            return false;
        }
    }

    /** The test driver accepts all of these; the QEMU driver can boot UEFI only with firmware descriptors for it. */
    private static Set<Capability> capabilities(DomainXml.Type type) {
        Set<Capability> result = EnumSet.of(Capability.GRACEFUL_SHUTDOWN, Capability.PAUSE, Capability.REBOOT,
                Capability.METRICS, Capability.LIFECYCLE_EVENTS, Capability.CLOUD_INIT, Capability.SNAPSHOT);
        if (type != DomainXml.Type.TEST) {
            // The test driver has no device hot-plug.
            result.add(Capability.HOT_PLUG);
            // The test driver runs no display: there is nothing to connect to.
            result.add(Capability.CONSOLE);
            // Nor does it implement migration.
            result.add(Capability.LIVE_MIGRATION);
            // It keeps the autostart flag in memory only, and never starts anything with a node.
            result.add(Capability.AUTOSTART);
        }
        if (type == DomainXml.Type.TEST || hasFirmware()) {
            result.add(Capability.UEFI);
        }
        if (type == DomainXml.Type.TEST || hasFirmware("secure-boot", "enrolled-keys")) {
            result.add(Capability.SECURE_BOOT);
        }
        return Set.copyOf(result);
    }

    /** Whether one firmware descriptor offers all these features (Debian's ovmf package ships such descriptors). */
    private static boolean hasFirmware(String... features) {
        try (Stream<Path> files = Files.list(QEMU_FIRMWARE_DESCRIPTORS)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json"))
                    .anyMatch(f -> Stream.of(features).allMatch(feature -> mentions(f, feature)));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean mentions(Path descriptor, String feature) {
        try {
            return Files.readString(descriptor).contains("\"" + feature + "\"");
        } catch (IOException e) {
            return false;
        }
    }
}
