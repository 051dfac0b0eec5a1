package io.quantix.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.CloudInit;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.spi.HostCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads the seed back with isoinfo (from the same genisoimage package), as a guest's cloud-init would see it. */
class CloudInitSeedsTest {
    private static final String USER_DATA = "#cloud-config\nusers:\n  - name: ops\n    ssh_authorized_keys: [\"ssh-ed25519 AAAA ops@x\"]\n";
    private static final String META_DATA = "instance-id: 8d0c6c52\nlocal-hostname: web-1\n";
    private static final String NETWORK = "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n";

    @TempDir
    Path data;

    @Test
    void theSeedHoldsTheFilesUnderTheirExactNamesWithTheExactContent() throws Exception {
        Path iso = new CloudInitSeeds(data).create("8d0c6c52", new CloudInit(USER_DATA, META_DATA, Optional.of(NETWORK)));

        assertEquals(data.resolve("cloud-init/8d0c6c52.iso"), iso);
        assertTrue(isoinfo(iso, "-d").lines().anyMatch(l -> l.equals("Volume id: cidata")), isoinfo(iso, "-d"));
        // Rock Ridge names (what Linux mounts) and Joliet names (what Windows' cloudbase-init reads)
        for (String names : List.of("-R", "-J")) {
            assertEquals(USER_DATA, isoinfo(iso, names, "-x", "/user-data"), names);
            assertEquals(META_DATA, isoinfo(iso, names, "-x", "/meta-data"), names);
            assertEquals(NETWORK, isoinfo(iso, names, "-x", "/network-config"), names);
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(iso)), "user data is private");
        assertEquals(List.of(iso), Files.list(data.resolve("cloud-init")).toList(), "no working files left");
    }

    @Test
    void withoutNetworkConfigThereIsNoSuchFile() {
        Path iso = new CloudInitSeeds(data).create("a1", new CloudInit(USER_DATA, META_DATA, Optional.empty()));

        assertEquals(List.of("/META_DAT.;1", "/USER_DAT.;1"), isoinfo(iso, "-f").lines().sorted().toList());
    }

    @Test
    void deleteRemovesTheSeedAndASecondSeedForTheSameVmIsRefused() {
        CloudInitSeeds seeds = new CloudInitSeeds(data);
        Path iso = seeds.create("b2", new CloudInit(USER_DATA, META_DATA, Optional.empty()));
        QuantixException e = assertThrows(QuantixException.class,
                () -> seeds.create("b2", new CloudInit("#x", META_DATA, Optional.empty())));
        assertEquals(ErrorCode.ALREADY_EXISTS, e.code());
        assertEquals(USER_DATA, isoinfo(iso, "-R", "-x", "/user-data"), "the first seed is untouched");

        seeds.delete("b2");
        assertFalse(Files.exists(iso));
        seeds.delete("b2");
    }

    private static String isoinfo(Path iso, String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("isoinfo", "-i", iso.toString()));
        argv.addAll(List.of(args));
        return HostCommand.run(argv);
    }
}
