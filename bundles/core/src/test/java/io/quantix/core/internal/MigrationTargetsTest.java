package io.quantix.core.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantix.api.ErrorCode;
import io.quantix.api.MigrationSpec;
import io.quantix.api.QuantixException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MigrationTargetsTest {

    private static MigrationSpec spec(String target, String migrateUri) {
        return new MigrationSpec(target, true, Optional.ofNullable(migrateUri), 0);
    }

    @Test
    void theTransportsNodesUseAreAccepted() {
        for (String target : List.of("qemu+tls://node2/system", "qemu+tcp://10.0.0.2/system", "qemu+tcp://node2:16509/system",
                "qemu+ssh://node2/system", "qemu+ssh://root@node2/system", "qemu+unix:///system", "qemu+unix:///session",
                "qemu+tls://[fd00::2]/system")) {
            assertDoesNotThrow(() -> MigrationTargets.check(spec(target, null)), target);
        }
        assertDoesNotThrow(() -> MigrationTargets.check(spec("qemu+tls://node2/system", "tcp://10.0.0.2:49152")));
    }

    @Test
    void hostileTargetsAreInvalidArguments() {
        for (String target : List.of(
                "qemu+ext:///system?command=/bin/sh",
                "qemu+ssh://h/system?command=/bin/sh",
                "qemu+ssh://h/system?keyfile=/etc/shadow",
                "qemu+ssh://h/system?netcat=/tmp/evil",
                "qemu+unix:///system?socket=/run/other.sock",
                "qemu+tls://h/system?pkipath=/root/.pki&no_verify=1",
                "qemu+tcp://h/system#frag",
                "qemu:///system",
                "test:///default",
                "qemu+tcp:///system",
                "qemu+unix://host/system",
                "qemu+tcp://root@h/system",
                "qemu+tcp://h/etc/passwd",
                "qemu+tcp://h/system\n--live",
                "qemu+tcp://h/system --unsafe",
                "qemu+tcp://h/sys%0atem",
                "qemu+tcp:opaque")) {
            QuantixException e = assertThrows(QuantixException.class, () -> MigrationTargets.check(spec(target, null)),
                    target);
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), target);
        }
    }

    @Test
    void theMemoryStreamTakesTcpHostPortOnly() {
        for (String migrateUri : List.of("unix:///tmp/sock", "tcp://h", "tcp://h:0", "tcp://h:70000", "tcp://h:4915/x",
                "tcp://h:49152?x=1", "tcp://u@h:49152", "rdma://h:49152", "tcp://h:49152\n", "fd:3", "exec:/bin/sh")) {
            QuantixException e = assertThrows(QuantixException.class,
                    () -> MigrationTargets.check(spec("qemu+tls://node2/system", migrateUri)), migrateUri);
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), migrateUri);
        }
    }
}
