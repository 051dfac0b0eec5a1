package io.quantix.storage.iscsi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantix.api.DiskSource;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IscsiPoolOptionsTest {

    @Test
    void portalTargetAndDefaults() {
        IscsiPoolOptions o = IscsiPoolOptions.of(new StoragePoolSpec("san", "iscsi",
                Map.of("portal", "san.example", "target", "iqn.2026-11.io.quantix:t1")));
        assertEquals(new DiskSource.Host("san.example", 3260), o.portal());
        assertEquals(Optional.empty(), o.credentials("san"));
        assertEquals("[fd00::1]:3261", IscsiPoolOptions.of(new StoragePoolSpec("san", "iscsi",
                Map.of("portal", "[fd00::1]:3261", "target", "iqn.2026-11.io.quantix:t1"))).portalAddress());
    }

    @Test
    void badOptionsAreInvalid() {
        for (Map<String, String> options : List.of(
                Map.of("target", "iqn.2026-11.io.quantix:t1"),
                Map.of("portal", "h", "target", "iqn.2026-11.io.quantix:t1/../x"),
                Map.of("portal", "h;rm -rf", "target", "iqn.2026-11.io.quantix:t1"),
                Map.of("portal", "h:99999", "target", "iqn.2026-11.io.quantix:t1"),
                Map.of("portal", "h", "target", "iqn.2026-11.io.quantix:t1", "chapUser", "u"),
                Map.of("portal", "h", "target", "iqn.2026-11.io.quantix:t1", "chapUser", "u", "chapSecretFile", "rel/x"),
                Map.of("portal", "h", "target", "iqn.2026-11.io.quantix:t1", "secret", "x"))) {
            QuantixException e = assertThrows(QuantixException.class,
                    () -> IscsiPoolOptions.of(new StoragePoolSpec("san", "iscsi", options)), options.toString());
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), options.toString());
        }
    }

    @Test
    void lunsOfTheTargetOnlyAndNotTheController() {
        String listing = """
                Target:iqn.2026-11.io.quantix:other Portal:127.0.0.1:3260,1
                Lun:0    Type:STORAGE_ARRAY_CONTROLLER
                Lun:1    Type:DIRECT_ACCESS (Size:63M)
                Target:iqn.2026-11.io.quantix:t1 Portal:127.0.0.1:3260,1
                Lun:0    Type:STORAGE_ARRAY_CONTROLLER
                Lun:1    Type:DIRECT_ACCESS (Size:63M)
                Lun:4    Type:DIRECT_ACCESS (Size:1G)
                """;
        assertEquals(Optional.of(List.of(1, 4)), IscsiStorageBackend.luns(listing, "iqn.2026-11.io.quantix:t1"));
        assertEquals(Optional.empty(), IscsiStorageBackend.luns(listing, "iqn.2026-11.io.quantix:none"));
    }
}
