package io.quantix.hypervisor.cloudhypervisor.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.Capability;
import io.quantix.api.ErrorCode;
import io.quantix.api.Firmware;
import io.quantix.api.PowerAction;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.Vm;
import io.quantix.api.VmMetrics;
import io.quantix.api.VmSpec;
import io.quantix.api.spi.Backend;
import io.quantix.api.spi.HypervisorBackend;
import io.quantix.api.spi.NodeDirectories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Quantix VMs on Cloud Hypervisor: one {@code cloud-hypervisor} process per running VM, driven through its REST
 * API on a Unix socket in the run directory. Per VM the run directory holds {@code <name>.json} (the durable record,
 * see {@link VmRecords}), and while it runs {@code <name>.sock} (the API), {@code <name>.pid}, {@code <name>.serial.log}
 * (the guest's serial port) and {@code <name>.vmm.log} (CH's own output).
 *
 * <p>The VMM is the truth about power: a VM whose socket does not answer is STOPPED. A process lives exactly as long
 * as its VM is on: START launches it, FORCE_STOP ends it, and a guest powering off ends it by itself. Processes
 * outlive this component, so a new activation finds running VMs through their sockets and never stops them.
 * Every call holds this object's lock, so two calls never race on one VM's VMM or files.
 */
@Component(service = HypervisorBackend.class, property = Backend.PROPERTY + "=" + CloudHypervisorBackend.NAME,
        configurationPid = CloudHypervisorBackend.PID)
@Designate(ocd = CloudHypervisorBackend.Config.class)
public class CloudHypervisorBackend implements HypervisorBackend {
    static final String NAME = "cloud-hypervisor";
    static final String PID = "io.quantix.hypervisor.cloudhypervisor";

    private static final Logger LOG = LoggerFactory.getLogger(CloudHypervisorBackend.class);
    /** A single API call to a local VMM; CH answers in milliseconds unless it is stuck. */
    private static final Duration API_TIMEOUT = Duration.ofSeconds(30);
    /** How long a new VMM may take to open its socket, and an ended one to exit. */
    private static final Duration VMM_WAIT = Duration.ofSeconds(10);
    private static final String SOCKET = ".sock";

    @ObjectClassDefinition(id = PID, name = "Quantix Cloud Hypervisor backend")
    @interface Config {
        @AttributeDefinition(description = "The cloud-hypervisor program: a name looked up on PATH or an absolute path.")
        String binary() default "cloud-hypervisor";

        @AttributeDefinition(description = "Firmware for BIOS VMs. CH has no legacy BIOS: rust-hypervisor-firmware"
                + " (hypervisor-fw) boots the disk's bootloader the way a BIOS VM expects.")
        String firmware() default "/usr/share/cloud-hypervisor/hypervisor-fw";

        @AttributeDefinition(description = "Firmware for UEFI VMs: OVMF built for Cloud Hypervisor (edk2's"
                + " OvmfPkg/CloudHv, CLOUDHV.fd). QEMU's OVMF_CODE.fd does not boot under CH. UEFI is advertised only"
                + " if this file exists.")
        String uefiFirmware() default "/usr/share/cloud-hypervisor/CLOUDHV.fd";

        @AttributeDefinition(description = "Run directory for VM records, API sockets and logs. Empty: the node's"
                + " data directory/cloud-hypervisor.")
        String runDirectory() default "";
    }

    /** What an activation runs on. {@code ip} is how to run the ip tool, a prefix that tests point at a netns. */
    record Settings(String binary, Path firmware, Path uefiFirmware, Path runDirectory, List<String> ip) {
        Settings {
            // CH splits its --api-socket option at commas.
            if (runDirectory.toString().contains(",")) {
                throw QuantixException.invalid("cloud-hypervisor run directory " + Validation.quote(
                        runDirectory.toString()) + " must not contain ','");
            }
            ip = List.copyOf(ip);
        }
    }

    private Settings settings;
    private VmmLauncher launcher;
    private VmRecords records;
    private Taps taps;
    /** VMMs this activation watches, by VM name: so a guest powering off cleans up after itself. */
    private final Map<String, Vmm> supervised = new HashMap<>();

    @Activate
    void activate(Config config) {
        Path run = config.runDirectory().isBlank() ? NodeDirectories.data().resolve(NAME) : Path.of(config.runDirectory());
        open(new Settings(config.binary(), Path.of(config.firmware()), Path.of(config.uefiFirmware()),
                run.toAbsolutePath().normalize(), List.of("ip")), new ProcessVmmLauncher(config.binary()));
    }

    /** Starts an activation; tests call this directly, without OSGi, with a launcher of their own. */
    synchronized void open(Settings newSettings, VmmLauncher newLauncher) {
        settings = newSettings;
        launcher = newLauncher;
        records = new VmRecords(settings.runDirectory());
        taps = new Taps(settings.ip());
        try {
            Files.createDirectories(settings.runDirectory());
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "cannot create the cloud-hypervisor run directory "
                    + settings.runDirectory() + ": " + e.getMessage(), e);
        }
        int adopted = 0;
        for (String name : records.names()) {
            if (api(name).vmmAnswers()) {
                readPid(name).flatMap(launcher::find).ifPresent(vmm -> supervise(name, vmm));
                adopted++;
            }
        }
        LOG.info("cloud-hypervisor backend on {} ({}): {} running VMM(s) adopted", settings.runDirectory(),
                settings.binary(), adopted);
    }

    /** Leaves every VMM running: VMs outlive the node's management plane. */
    @Deactivate
    synchronized void close() {
        supervised.clear();
        records = null;
    }

    @Override
    public synchronized Set<Capability> capabilities() {
        requireOpen();
        Set<Capability> result = EnumSet.of(Capability.GRACEFUL_SHUTDOWN, Capability.REBOOT, Capability.PAUSE,
                Capability.METRICS);
        if (Files.isRegularFile(settings.uefiFirmware())) {
            result.add(Capability.UEFI);
        }
        return Set.copyOf(result);
    }

    @Override
    public synchronized String description() {
        requireOpen();
        return "cloud-hypervisor " + settings.binary() + " (VMs in " + settings.runDirectory() + ")"
                + (binaryInstalled() ? "" : "; program not found: VMs can be defined but not started");
    }

    /** Whether the configured program exists, as an absolute path or on PATH: told to people up front. */
    private boolean binaryInstalled() {
        Path binary = Path.of(settings.binary());
        if (binary.isAbsolute()) {
            return Files.isExecutable(binary);
        }
        return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .anyMatch(dir -> Files.isExecutable(Path.of(dir).resolve(binary)));
    }

    @Override
    public synchronized void checkDefinable(VmSpec spec) {
        requireOpen();
        Validation.required("VM spec", spec);
        if (!NAME.equals(spec.hypervisor())) {
            throw QuantixException.invalid("VM '" + spec.name() + "' asks for hypervisor backend '"
                    + spec.hypervisor() + "', not '" + NAME + "'");
        }
        VmConfigs.checkRunnable(spec);
        if (spec.firmware() == Firmware.UEFI_SECURE_BOOT) {
            throw new QuantixException(ErrorCode.UNSUPPORTED, "Cloud Hypervisor's UEFI firmware has no Secure Boot");
        }
        if (spec.firmware() == Firmware.UEFI && !capabilities().contains(Capability.UEFI)) {
            throw new QuantixException(ErrorCode.UNSUPPORTED, "UEFI firmware " + settings.uefiFirmware()
                    + " is not installed");
        }
    }

    @Override
    public synchronized Vm define(String id, VmSpec spec, List<AttachedDisk> disks, List<AttachedNic> nics) {
        Validation.required("VM id", id);
        checkDefinable(spec);
        Vm vm = new Vm(id, spec, PowerState.STOPPED, disks, nics);
        if (records.read(spec.name()).isPresent()) {
            throw QuantixException.alreadyExists("VM", spec.name());
        }
        Set<String> tapsInUse = new HashSet<>();
        for (Vm other : recorded()) {
            if (other.id().equals(id)) {
                throw QuantixException.alreadyExists("VM with id", id);
            }
            other.nics().forEach(n -> tapsInUse.add(Taps.name(n)));
        }
        for (AttachedNic nic : vm.nics()) {
            if (!tapsInUse.add(Taps.name(nic))) {
                throw new QuantixException(ErrorCode.CONFLICT, "port '" + nic.portId() + "' would share tap device "
                        + Taps.name(nic) + " with another NIC on this node");
            }
        }
        records.write(vm);
        LOG.info("defined VM '{}' ({})", spec.name(), id);
        return vm;
    }

    @Override
    public synchronized List<Vm> list() {
        requireOpen();
        return recorded().stream().map(vm -> vm.withState(observe(vm.name()))).toList();
    }

    @Override
    public synchronized Optional<Vm> find(String name) {
        requireOpen();
        Validation.name("VM", name);
        return records.read(name).map(vm -> vm.withState(observe(name)));
    }

    @Override
    public synchronized void power(String name, PowerAction action) {
        Validation.required("power action", action);
        Vm vm = require(name);
        PowerState state = observe(name);
        if (!allowedFrom(action).contains(state)) {
            throw new QuantixException(ErrorCode.CONFLICT, "cannot " + action.name().toLowerCase(Locale.ROOT)
                    .replace('_', ' ') + " VM '" + name + "': it is " + state.name().toLowerCase(Locale.ROOT));
        }
        ChApi api = api(name);
        switch (action) {
            case START -> start(vm);
            case SHUTDOWN -> api.powerButton();
            case FORCE_STOP -> {
                api.shutdown();
                endVmm(vm);
            }
            case REBOOT -> api.reboot();
            case PAUSE -> api.pause();
            case RESUME -> api.resume();
        }
        LOG.info("VM '{}': {}", name, action);
    }

    @Override
    public synchronized void undefine(String name) {
        Vm vm = require(name);
        PowerState state = observe(name);
        if (state != PowerState.STOPPED) {
            throw new QuantixException(ErrorCode.CONFLICT, "VM '" + name + "' is " + state.name().toLowerCase(Locale.ROOT)
                    + ": stop it before deleting it");
        }
        // A VMM may still be up with its VM created but off (a start that failed half way).
        if (api(name).vmmAnswers()) {
            endVmm(vm);
        }
        taps.unplug(vm.nics());
        records.delete(name);
        deleteQuietly(runFile(name, ".serial.log"));
        deleteQuietly(runFile(name, ".vmm.log"));
        LOG.info("undefined VM '{}'", name);
    }

    /** VMMs answering on a socket in the run directory whose VM has no record: left alone, only named. */
    @Override
    public synchronized List<String> unmanaged() {
        requireOpen();
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(settings.runDirectory())) {
            for (Path file : files.toList()) {
                String fileName = file.getFileName().toString();
                if (!fileName.endsWith(SOCKET)) {
                    continue;
                }
                String name = fileName.substring(0, fileName.length() - SOCKET.length());
                if (records.read(name).isEmpty() && api(name).vmmAnswers()) {
                    found.add(name);
                }
            }
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "cannot list " + settings.runDirectory() + ": "
                    + e.getMessage(), e);
        }
        return found.stream().sorted().toList();
    }

    @Override
    public synchronized VmMetrics metrics(String name) {
        Vm vm = require(name);
        long read = 0;
        long written = 0;
        long received = 0;
        long sent = 0;
        long guest = 0;
        long total = 0;
        PowerState state = observe(name);
        // Counters exist only while the VMM runs; a stopped VM has used nothing since.
        if (state == PowerState.RUNNING || state == PowerState.PAUSED) {
            JsonNode counters = api(name).counters();
            for (Iterator<Map.Entry<String, JsonNode>> it = counters.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> device = it.next();
                if (VmConfigs.isDisk(device.getKey())) {
                    read += device.getValue().path("read_bytes").asLong();
                    written += device.getValue().path("write_bytes").asLong();
                } else if (VmConfigs.isNet(device.getKey())) {
                    received += device.getValue().path("rx_bytes").asLong();
                    sent += device.getValue().path("tx_bytes").asLong();
                }
            }
            Optional<Vmm> vmm = Optional.ofNullable(supervised.get(name));
            // The guest's share first: the process total read after it has counted at least as much.
            guest = vmm.flatMap(Vmm::guestCpuTime).map(Duration::toNanos).orElse(0L);
            total = Math.max(guest, vmm.flatMap(Vmm::cpuTime).map(Duration::toNanos).orElse(0L));
        }
        return new VmMetrics(name, Instant.now(), guest, total, vm.spec().vcpus(),
                vm.spec().memoryMiB() * Validation.MIB, read, written, received, sent);
    }

    /** Launches a VMM unless one is up (a start that failed half way), then creates the VM from its record and boots it. */
    private void start(Vm vm) {
        String name = vm.name();
        ChApi api = api(name);
        Path firmware = vm.spec().firmware() == Firmware.UEFI ? settings.uefiFirmware() : settings.firmware();
        try {
            if (api.vmmAnswers()) {
                if (api.state().isPresent()) {
                    api.delete();
                }
                taps.plug(vm.nics());
            } else {
                deleteQuietly(socket(name));
                taps.plug(vm.nics());
                Vmm vmm = launcher.launch(name, socket(name), runFile(name, ".vmm.log"));
                writePid(name, vmm);
                supervise(name, vmm);
                awaitSocket(vm, api, vmm);
            }
            api.create(VmConfigs.build(vm, firmware, runFile(name, ".serial.log")));
            api.boot();
        } catch (RuntimeException e) {
            LOG.warn("starting VM '{}' failed, ending its VMM: {}", name, e.getMessage());
            try {
                endVmm(vm);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void awaitSocket(Vm vm, ChApi api, Vmm vmm) {
        long deadline = System.nanoTime() + VMM_WAIT.toNanos();
        while (!api.vmmAnswers()) {
            if (vmm.onExit().isDone()) {
                throw new QuantixException(ErrorCode.BACKEND_ERROR, "cloud-hypervisor for VM '" + vm.name()
                        + "' exited at start; see " + runFile(vm.name(), ".vmm.log"));
            }
            if (System.nanoTime() > deadline) {
                throw new QuantixException(ErrorCode.BACKEND_ERROR, "cloud-hypervisor for VM '" + vm.name()
                        + "' did not open its API socket within " + VMM_WAIT);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QuantixException(ErrorCode.BACKEND_ERROR, "interrupted while starting VM '" + vm.name() + "'", e);
            }
        }
    }

    /** Ends the VM's VMM (through its API, else by force) and removes its taps and run files. */
    private void endVmm(Vm vm) {
        String name = vm.name();
        Vmm vmm = supervised.remove(name);
        if (api(name).vmmAnswers()) {
            try {
                api(name).shutdownVmm();
            } catch (QuantixException e) {
                LOG.warn("the VMM of VM '{}' refused to shut down: {}", name, e.getMessage());
            }
        }
        if (vmm != null) {
            try {
                vmm.onExit().get(VMM_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                LOG.warn("the VMM of VM '{}' did not exit within {}: killing it", name, VMM_WAIT);
                vmm.kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                vmm.kill();
            }
        }
        cleanUp(vm);
    }

    /** Watches a VMM: when it ends by itself (the guest powered off), its taps and socket go. */
    private void supervise(String name, Vmm vmm) {
        supervised.put(name, vmm);
        vmm.onExit().whenComplete((r, e) -> exited(name, vmm));
    }

    private synchronized void exited(String name, Vmm vmm) {
        // Only the VMM this activation still watches: a closed backend or a newer VMM of the same VM is left alone.
        if (records == null || supervised.get(name) != vmm) {
            return;
        }
        supervised.remove(name);
        LOG.info("the VMM of VM '{}' has exited", name);
        records.read(name).ifPresent(this::cleanUp);
    }

    private void cleanUp(Vm vm) {
        taps.unplug(vm.nics());
        deleteQuietly(socket(vm.name()));
        deleteQuietly(runFile(vm.name(), ".pid"));
    }

    /** The power state, from the VMM: no answer means no VMM, so the VM is off. */
    private PowerState observe(String name) {
        return api(name).state().map(s -> switch (s) {
            case Running -> PowerState.RUNNING;
            // A VM stopped at a debugger breakpoint runs no guest code, like a paused one.
            case Paused, BreakPoint -> PowerState.PAUSED;
            case Created, Shutdown -> PowerState.STOPPED;
        }).orElse(PowerState.STOPPED);
    }

    private static Set<PowerState> allowedFrom(PowerAction action) {
        return switch (action) {
            case START -> EnumSet.of(PowerState.STOPPED);
            case SHUTDOWN, REBOOT, PAUSE -> EnumSet.of(PowerState.RUNNING);
            case FORCE_STOP -> EnumSet.of(PowerState.RUNNING, PowerState.PAUSED);
            case RESUME -> EnumSet.of(PowerState.PAUSED);
        };
    }

    private List<Vm> recorded() {
        List<Vm> vms = new ArrayList<>();
        for (String name : records.names()) {
            try {
                records.read(name).ifPresent(vms::add);
            } catch (QuantixException e) {
                LOG.warn("skipping VM '{}': {}", name, e.getMessage());
            }
        }
        return vms;
    }

    /** The tags are only in the record: the running VMM is not involved. */
    @Override
    public synchronized void updateTags(String name, Set<String> tags) {
        Vm vm = require(name);
        records.write(new Vm(vm.id(), vm.spec().withTags(tags), vm.state(), vm.disks(), vm.nics()));
    }

    private Vm require(String name) {
        requireOpen();
        Validation.name("VM", name);
        return records.read(name).orElseThrow(() -> QuantixException.notFound("VM", name));
    }

    private void requireOpen() {
        if (records == null) {
            throw QuantixException.backendUnavailable("hypervisor", NAME);
        }
    }

    private ChApi api(String name) {
        return new ChApi(name, socket(name), API_TIMEOUT);
    }

    private Path socket(String name) {
        return runFile(name, SOCKET);
    }

    private Path runFile(String name, String suffix) {
        return settings.runDirectory().resolve(name + suffix);
    }

    private void writePid(String name, Vmm vmm) {
        try {
            Files.writeString(runFile(name, ".pid"), Long.toString(vmm.pid()));
        } catch (IOException e) {
            LOG.warn("cannot record the VMM pid of VM '{}': {}", name, e.getMessage());
        }
    }

    private Optional<Long> readPid(String name) {
        try {
            return Optional.of(Long.parseLong(Files.readString(runFile(name, ".pid")).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", file, e.getMessage());
        }
    }
}
