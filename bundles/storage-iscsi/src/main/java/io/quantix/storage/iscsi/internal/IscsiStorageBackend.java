package io.quantix.storage.iscsi.internal;

import io.quantix.api.Capability;
import io.quantix.api.DiskSource;
import io.quantix.api.ErrorCode;
import io.quantix.api.PoolUsage;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Volume;
import io.quantix.api.VolumeFormat;
import io.quantix.api.VolumeRef;
import io.quantix.api.VolumeSpec;
import io.quantix.api.spi.HostCommand;
import io.quantix.api.spi.StorageBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Component;

/**
 * iSCSI pools: a target on a portal, whose LUNs are the pool's volumes ({@code lun1}, {@code lun2}, ...). QEMU
 * opens a LUN itself through libiscsi (a network disk), logging in with the pool's CHAP login, which libvirt keeps
 * as a secret. LUNs are listed and measured with libiscsi's own tools, the CHAP password handed to them in their
 * environment, never on a command line. Making, deleting or growing a LUN is the target administrator's job (there
 * is no standard iSCSI command for it), so this backend advertises only RAW and answers UNSUPPORTED to those.
 */
@Component(service = StorageBackend.class, property = "quantix.backend=iscsi")
public class IscsiStorageBackend implements StorageBackend {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern TARGET_LINE = Pattern.compile("Target:(\\S+) Portal:.*");
    private static final Pattern LUN_LINE = Pattern.compile("Lun:(\\d+)\\s+Type:DIRECT_ACCESS.*");

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.RAW);
    }

    /** The LUNs are the target administrator's: removing the pool leaves them on the target, as it found them. */
    @Override
    public boolean volumesManagedOutside() {
        return true;
    }

    @Override
    public Set<String> hostPathOptions() {
        return Set.of(IscsiPoolOptions.CHAP_SECRET_FILE);
    }

    @Override
    public String description() {
        return "iSCSI targets through libiscsi (LUNs are volumes, made by the target's administrator)";
    }

    /** Logs in to the target: an unreachable portal, an unknown target or a wrong CHAP login is a clear error. */
    @Override
    public PoolUsage probe(StoragePoolSpec pool) {
        long total = volumes(pool).stream().mapToLong(Volume::capacity).sum();
        return new PoolUsage(total, total, 0);
    }

    @Override
    public List<Volume> volumes(StoragePoolSpec pool) {
        IscsiPoolOptions options = IscsiPoolOptions.of(pool);
        Optional<DiskSource.Credentials> login = options.credentials(pool.name());
        HostCommand.Result listed = tool(List.of("iscsi-ls", "-s", "iscsi://" + options.portalAddress()), login);
        if (listed.exitCode() != 0) {
            throw failure(options, listed);
        }
        List<Integer> luns = luns(listed.stdout(), options.target())
                .orElseThrow(() -> QuantixException.invalid("portal " + options.portalAddress() + " has no target "
                        + options.target() + " (or does not show it to this node)"));
        List<Volume> volumes = new ArrayList<>();
        for (int lun : luns) {
            volumes.add(volume(pool, options, login, lun));
        }
        return volumes;
    }

    @Override
    public Volume createVolume(StoragePoolSpec pool, VolumeSpec spec) {
        throw administratorsJob(pool, "made");
    }

    @Override
    public void deleteVolume(StoragePoolSpec pool, String volume) {
        throw administratorsJob(pool, "deleted");
    }

    @Override
    public Volume resizeVolume(StoragePoolSpec pool, String volume, long newSizeBytes) {
        throw administratorsJob(pool, "resized");
    }

    /** The LUNs of {@code target} that hold data (not the controller LUN 0), in the order iscsi-ls lists them. */
    static Optional<List<Integer>> luns(String listing, String target) {
        List<Integer> luns = null;
        for (String line : listing.lines().map(String::strip).toList()) {
            Matcher t = TARGET_LINE.matcher(line);
            if (t.matches()) {
                if (luns != null) {
                    break;
                }
                if (t.group(1).equals(target)) {
                    luns = new ArrayList<>();
                }
                continue;
            }
            Matcher l = LUN_LINE.matcher(line);
            if (luns != null && l.matches()) {
                luns.add(Integer.parseInt(l.group(1)));
            }
        }
        return Optional.ofNullable(luns).map(List::copyOf);
    }

    private Volume volume(StoragePoolSpec pool, IscsiPoolOptions options, Optional<DiskSource.Credentials> login, int lun) {
        String name = options.target() + "/" + lun;
        HostCommand.Result size = tool(List.of("iscsi-readcapacity16", "-s", "iscsi://" + options.portalAddress() + "/" + name),
                login);
        if (size.exitCode() != 0) {
            throw failure(options, size);
        }
        long bytes;
        try {
            bytes = Long.parseLong(size.stdout().strip());
        } catch (NumberFormatException e) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "iscsi-readcapacity16 gave no size for LUN " + lun);
        }
        DiskSource source = new DiskSource.Network(DiskSource.Protocol.ISCSI, name, List.of(options.portal()), login);
        return new Volume(new VolumeRef(pool.name(), "lun" + lun), VolumeFormat.RAW, bytes, bytes, source);
    }

    /** libiscsi reads the CHAP login from its environment when the URL has none: the password stays off argv. */
    private static HostCommand.Result tool(List<String> argv, Optional<DiskSource.Credentials> login) {
        Map<String, String> env = login.map(l -> Map.of("LIBISCSI_CHAP_USERNAME", l.user(),
                "LIBISCSI_CHAP_PASSWORD", l.secret().orElseThrow())).orElse(Map.of());
        return HostCommand.execute(argv, env, TIMEOUT);
    }

    private static QuantixException failure(IscsiPoolOptions options, HostCommand.Result result) {
        String all = result.stdout() + result.stderr();
        if (all.contains("Authentication failure")) {
            return QuantixException.invalid("target " + options.target() + " refused the CHAP login"
                    + options.chapUser().map(u -> " of user '" + u + "'").orElse(" (it may need one)")
                    + ": check chapUser and the secret file");
        }
        if (all.contains("Connection refused") || all.contains("connection failed") || all.contains("timed out")) {
            return new QuantixException(ErrorCode.BACKEND_ERROR, "iSCSI portal " + options.portalAddress()
                    + " is not reachable: " + result.firstErrorLine());
        }
        return new QuantixException(ErrorCode.BACKEND_ERROR, "iSCSI target " + options.target() + " on "
                + options.portalAddress() + ": " + result.firstErrorLine());
    }

    private static QuantixException administratorsJob(StoragePoolSpec pool, String what) {
        return new QuantixException(ErrorCode.UNSUPPORTED, "the LUNs of iscsi pool '" + pool.name() + "' are " + what
                + " by the target's administrator, not by Quantix");
    }
}
