package io.quantix.hypervisor.cloudhypervisor.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantix.api.AttachedDisk;
import io.quantix.api.AttachedNic;
import io.quantix.api.BootDevice;
import io.quantix.api.DirectBoot;
import io.quantix.api.DiskBus;
import io.quantix.api.DiskSource;
import io.quantix.api.DiskSpec;
import io.quantix.api.ErrorCode;
import io.quantix.api.Firmware;
import io.quantix.api.HaPolicy;
import io.quantix.api.NicBinding;
import io.quantix.api.NicModel;
import io.quantix.api.NicSpec;
import io.quantix.api.PowerState;
import io.quantix.api.QuantixException;
import io.quantix.api.Vm;
import io.quantix.api.VmSpec;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The durable record of each VM: Cloud Hypervisor keeps nothing once its process ends, so {@code <name>.json} in
 * the run directory plays the part libvirt's domain XML plays for the libvirt backend. It holds exactly the Quantix
 * fields of a {@link Vm} (never a power state, which only the VMM knows), in an explicit format of its own so that
 * the API records carry no serialisation annotations. Reading goes back through the API constructors, so an edited
 * file cannot bring in an invalid name or path.
 */
final class VmRecords {
    static final String SUFFIX = ".json";
    private static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    VmRecords(Path dir) {
        this.dir = dir;
    }

    Path file(String name) {
        return dir.resolve(name + SUFFIX);
    }

    /** The VM as recorded, STOPPED; empty if there is no record. */
    Optional<Vm> read(String name) {
        try {
            return Optional.of(parse(JSON.readTree(Files.readString(file(name)))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR,
                    "the record of VM '" + name + "' (" + file(name) + ") cannot be read: " + e.getMessage(), e);
        }
    }

    /** The names of every recorded VM, sorted. */
    List<String> names() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(SUFFIX))
                    .map(f -> f.substring(0, f.length() - SUFFIX.length()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "cannot list VM records in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Writes to a temporary file and renames it over the record, so a crash leaves the old or the new one. */
    void write(Vm vm) {
        Path target = file(vm.name());
        Path temp = dir.resolve("." + vm.name() + SUFFIX + ".tmp");
        try {
            Files.createDirectories(dir);
            Files.write(temp, JSON.writeValueAsBytes(toJson(vm)));
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "cannot write the record of VM '" + vm.name() + "': "
                    + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // The rename took it, or the next write replaces it.
            }
        }
    }

    void delete(String name) {
        try {
            Files.deleteIfExists(file(name));
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "cannot delete the record of VM '" + name + "': "
                    + e.getMessage(), e);
        }
    }

    static ObjectNode toJson(Vm vm) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("id", vm.id());
        VmSpec s = vm.spec();
        ObjectNode spec = root.putObject("spec");
        spec.put("name", s.name());
        spec.put("hypervisor", s.hypervisor());
        spec.put("vcpus", s.vcpus());
        spec.put("memoryMiB", s.memoryMiB());
        spec.put("firmware", s.firmware().name());
        ArrayNode specDisks = spec.putArray("disks");
        s.disks().forEach(d -> {
            ObjectNode disk = specDisks.addObject().put("pool", d.pool()).put("sizeBytes", d.sizeBytes())
                    .put("bus", d.bus().name());
            d.format().ifPresent(f -> disk.put("format", f.name()));
        });
        ArrayNode specNics = spec.putArray("nics");
        s.nics().forEach(n -> {
            ObjectNode nic = specNics.addObject().put("network", n.network()).put("model", n.model().name());
            n.mac().ifPresent(mac -> nic.put("mac", mac));
        });
        ArrayNode boot = spec.putArray("bootOrder");
        s.bootOrder().forEach(b -> boot.add(b.name()));
        ArrayNode tags = spec.putArray("tags");
        new TreeSet<>(s.tags()).forEach(tags::add);
        spec.putObject("ha").put("enabled", s.ha().enabled()).put("restartPriority", s.ha().restartPriority());
        s.directBoot().ifPresent(b -> spec.putObject("directBoot").put("kernel", b.kernel()).put("initrd", b.initrd())
                .put("cmdline", b.cmdline()));
        ArrayNode disks = root.putArray("disks");
        for (AttachedDisk d : vm.disks()) {
            DiskSource.File file = (DiskSource.File) d.source();
            disks.addObject().put("pool", d.volume().pool()).put("volume", d.volume().volume())
                    .put("path", file.path()).put("format", d.format().name()).put("bus", d.bus().name());
        }
        ArrayNode nics = root.putArray("nics");
        for (AttachedNic n : vm.nics()) {
            NicBinding.Bridge bridge = (NicBinding.Bridge) n.binding();
            nics.addObject().put("network", n.network()).put("portId", n.portId()).put("mac", n.mac())
                    .put("model", n.model().name()).put("bridge", bridge.bridge());
        }
        return root;
    }

    static Vm parse(JsonNode root) {
        if (root.path("format").asInt() != FORMAT) {
            throw new IllegalArgumentException("unknown record format " + root.path("format"));
        }
        JsonNode s = root.path("spec");
        VmSpec spec = new VmSpec(text(s, "name"), text(s, "hypervisor"), s.path("vcpus").asInt(),
                s.path("memoryMiB").asLong(), Firmware.valueOf(text(s, "firmware")),
                each(s.path("disks"), d -> new DiskSpec(text(d, "pool"), d.path("sizeBytes").asLong(),
                        d.hasNonNull("format") ? Optional.of(VolumeFormat.valueOf(text(d, "format"))) : Optional.empty(),
                        DiskBus.valueOf(text(d, "bus")))),
                each(s.path("nics"), n -> new NicSpec(text(n, "network"),
                        n.hasNonNull("mac") ? Optional.of(n.get("mac").asText()) : Optional.empty(),
                        NicModel.valueOf(text(n, "model")))),
                each(s.path("bootOrder"), b -> BootDevice.valueOf(b.asText())),
                new TreeSet<>(each(s.path("tags"), JsonNode::asText)),
                new HaPolicy(s.path("ha").path("enabled").asBoolean(), s.path("ha").path("restartPriority").asInt()),
                s.hasNonNull("directBoot") ? Optional.of(new DirectBoot(text(s.get("directBoot"), "kernel"),
                        text(s.get("directBoot"), "initrd"), text(s.get("directBoot"), "cmdline"))) : Optional.empty());
        List<AttachedDisk> disks = each(root.path("disks"), d -> new AttachedDisk(
                new VolumeRef(text(d, "pool"), text(d, "volume")), new DiskSource.File(text(d, "path")),
                VolumeFormat.valueOf(text(d, "format")), DiskBus.valueOf(text(d, "bus"))));
        List<AttachedNic> nics = each(root.path("nics"), n -> new AttachedNic(text(n, "network"), text(n, "portId"),
                text(n, "mac"), NicModel.valueOf(text(n, "model")), new NicBinding.Bridge(text(n, "bridge"))));
        return new Vm(text(root, "id"), spec, PowerState.STOPPED, disks, nics);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' is missing");
        }
        return value.asText();
    }

    private static <T> List<T> each(JsonNode array, Function<JsonNode, T> f) {
        List<T> result = new ArrayList<>();
        array.forEach(e -> result.add(f.apply(e)));
        return result;
    }
}
