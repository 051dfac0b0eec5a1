package io.quantix.storage.ceph.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.DiskSource;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CephPoolOptionsTest {
    private static final String KEY = "AQBkNHdnAAAAABAAm6lM6hQqlNtmhs2KTd7EXQ==";

    @TempDir
    Path dir;

    @Test
    void monitorsTakeHostsWithOrWithoutPortsAndIpv6InBrackets() {
        CephPoolOptions options = CephPoolOptions.of(pool(Map.of("monitors", "10.0.0.1:3300, mon2,[fd00::1]:6789",
                "keyring", "/etc/ceph/k")));
        assertEquals(List.of(new DiskSource.Host("10.0.0.1", 3300), new DiskSource.Host("mon2", 0),
                new DiskSource.Host("[fd00::1]", 6789)), options.monitors());
        assertEquals("10.0.0.1:3300,mon2,[fd00::1]:6789", options.monitorList());
        assertEquals("rbd", options.rbdPool());
        assertEquals("admin", options.user());
    }

    @Test
    void theKeyringDefaultsToOneFilePerUserInTheNodesConfigDirectory() {
        CephPoolOptions options = CephPoolOptions.of(pool(Map.of("monitors", "mon1", "user", "quantix")));
        assertTrue(options.keyring().endsWith("ceph/ceph.client.quantix.keyring"), options.keyring().toString());
    }

    @Test
    void aKeyIsNeverAPoolOptionBecauseOptionsAreStoredInPlainFiles() {
        QuantixException e = assertThrows(QuantixException.class,
                () -> CephPoolOptions.of(pool(Map.of("monitors", "mon1", "key", KEY))));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("keyring="), e.getMessage());
        assertTrue(!e.getMessage().contains(KEY), "the key is not echoed");
    }

    @Test
    void badOptionsAreRefusedWithWhatIsWrong() {
        for (Map<String, String> bad : List.of(Map.<String, String>of(), Map.of("monitors", "mon1;rm -rf /"),
                Map.of("monitors", "mon1:99999"), Map.of("monitors", "mon1:x"), Map.of("monitors", "mon1,"),
                Map.of("monitors", "mon1", "user", "client.admin"), Map.of("monitors", "mon1", "rbdPool", "../x"),
                Map.of("monitors", "mon1", "keyring", "relative/k"), Map.of("monitors", "mon1", "keyring", "/etc/../k"),
                Map.of("monitors", "mon1", "pool", "rbd"))) {
            QuantixException e = assertThrows(QuantixException.class, () -> CephPoolOptions.of(pool(bad)), bad.toString());
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), bad.toString());
        }
    }

    @Test
    void theKeyIsReadFromTheUsersSectionOfAPrivateKeyring() throws IOException {
        Path keyring = keyring("[client.other]\n\tkey = AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n[client.quantix]\n\tkey = " + KEY
                + "\n\tcaps mon = \"profile rbd\"\n", "rw-------");
        assertEquals(KEY, Keyring.key(keyring, "quantix"));
        QuantixException missing = assertThrows(QuantixException.class, () -> Keyring.key(keyring, "nobody"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, missing.code());
        assertTrue(missing.getMessage().contains("client.nobody"), missing.getMessage());
    }

    @Test
    void aKeyringOthersMayReadIsRefused() throws IOException {
        Path keyring = keyring("[client.quantix]\n\tkey = " + KEY + "\n", "rw-r--r--");
        QuantixException e = assertThrows(QuantixException.class, () -> Keyring.key(keyring, "quantix"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
        assertTrue(!e.getMessage().contains(KEY));
    }

    @Test
    void aMissingKeyringSaysHowToMakeIt() {
        QuantixException e = assertThrows(QuantixException.class, () -> Keyring.key(dir.resolve("none"), "quantix"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("ceph auth get-or-create client.quantix"), e.getMessage());
    }

    private Path keyring(String content, String mode) throws IOException {
        Path file = dir.resolve("keyring");
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    private static StoragePoolSpec pool(Map<String, String> options) {
        return new StoragePoolSpec("p1", "ceph", options);
    }
}
