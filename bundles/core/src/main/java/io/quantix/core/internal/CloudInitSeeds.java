package io.quantix.core.internal;

import io.quantix.api.CloudInit;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.spi.HostCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes cloud-init NoCloud seed ISOs: an ISO 9660 image labelled {@code cidata} holding {@code user-data},
 * {@code meta-data} and, if given, {@code network-config}, with Rock Ridge and Joliet names so every guest reads
 * them under those exact names. The core makes them rather than each backend, since any hypervisor that can
 * attach a CD-ROM can use one; they live in the data directory by VM id, which is how they are found again to
 * be deleted with the VM. Readable by root only: user data often carries passwords or keys (the hypervisor's own
 * relabelling lets the guest's emulator read it).
 */
final class CloudInitSeeds {
    static final String TOOL = "genisoimage";
    private static final Logger LOG = LoggerFactory.getLogger(CloudInitSeeds.class);
    private final Path dir;

    /** @param dataDir the node's data directory; seeds go to its {@code cloud-init} folder */
    CloudInitSeeds(Path dataDir) {
        this.dir = dataDir.resolve("cloud-init");
    }

    Path path(String vmId) {
        return dir.resolve(vmId + ".iso");
    }

    /** Writes the VM's seed, replacing none: ALREADY_EXISTS if the VM id already has one. */
    Path create(String vmId, CloudInit seed) {
        Path iso = path(vmId);
        Path work = null;
        try {
            Files.createDirectories(dir);
            if (Files.exists(iso)) {
                throw new QuantixException(ErrorCode.ALREADY_EXISTS, "a cloud-init seed for VM id " + vmId + " exists");
            }
            work = Files.createTempDirectory(dir, "." + vmId + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            List<String> argv = new ArrayList<>(List.of(TOOL, "-quiet", "-output", work.resolve("seed.iso").toString(),
                    "-volid", "cidata", "-joliet", "-rock", "-input-charset", "utf-8"));
            argv.add(write(work, "user-data", seed.userData()));
            argv.add(write(work, "meta-data", seed.metaData()));
            if (seed.networkConfig().isPresent()) {
                argv.add(write(work, "network-config", seed.networkConfig().get()));
            }
            HostCommand.run(argv);
            Files.setPosixFilePermissions(work.resolve("seed.iso"), PosixFilePermissions.fromString("rw-------"));
            Files.move(work.resolve("seed.iso"), iso, StandardCopyOption.ATOMIC_MOVE);
            return iso;
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "cannot write the cloud-init seed of VM id " + vmId
                    + ": " + e.getMessage(), e);
        } finally {
            if (work != null) {
                deleteTree(work);
            }
        }
    }

    /** Deletes the VM's seed if it has one. */
    void delete(String vmId) {
        try {
            Files.deleteIfExists(path(vmId));
        } catch (IOException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "cannot delete the cloud-init seed of VM id " + vmId
                    + ": " + e.getMessage(), e);
        }
    }

    private static String write(Path work, String name, String content) throws IOException {
        Path file = work.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file.toString();
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", root, e.getMessage());
        }
    }
}
