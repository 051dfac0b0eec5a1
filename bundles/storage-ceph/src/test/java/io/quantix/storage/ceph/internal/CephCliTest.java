package io.quantix.storage.ceph.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What people see when rbd fails: the API's code for librbd's errno, and rbd's own line, not its log noise. */
class CephCliTest {
    private final CephCli cli = new CephCli(CephPoolOptions.of(new StoragePoolSpec("p1", "ceph",
            Map.of("monitors", "127.0.0.1:3300", "user", "quantix", "keyring", "/etc/ceph/k"))));

    @Test
    void librbdErrnosBecomeTheApisCodes() {
        assertEquals(ErrorCode.NOT_FOUND, code("rbd: error opening image x: (2) No such file or directory\n"));
        assertEquals(ErrorCode.ALREADY_EXISTS, code("2026-11-25T20:06:44.012+0000 7f5631f82380 -1 librbd::Operations:"
                + " rbd image t1 already exists\nrbd: rename error: (17) File exists\n"));
        assertEquals(ErrorCode.CONFLICT, code("rbd: unprotecting snap failed: 2026-11-25T20:06:43.964+0000 7f66c1bbf6c0"
                + " -1 librbd::SnapshotUnprotectRequest: should_complete_error: ret_val=-16\n(16) Device or resource busy\n"));
        assertEquals(ErrorCode.CONFLICT, code("rbd: image has snapshots - these must be deleted with 'rbd snap purge'"
                + " before the image can be removed.\nRemoving image: 0% complete...failed.\nrbd: delete error: (39)"
                + " Directory not empty\n"));
        assertEquals(ErrorCode.BACKEND_ERROR, code("rbd: listing images failed: (1) Operation not permitted\n"));
    }

    @Test
    void theMessageIsRbdsLastOwnLine() {
        QuantixException e = cli.error("volume 'p1/x'", "rbd", "2026-11-25T20:06:30.184+0000 7fda901376c0 -1 noise\n"
                + "rbd: error opening image x: (2) No such file or directory\n");
        assertEquals("volume 'p1/x': rbd: error opening image x: (2) No such file or directory", e.getMessage());
    }

    @Test
    void monitorsThatDoNotAnswerAreSaidToBeUnreachableWithTheTimeout() {
        QuantixException e = cli.error("RBD pool 'rbd'", "rbd", "2026-11-25T20:06:25.088+0000 7fb36f098380  0"
                + " monclient(hunting): authenticate timed out after 10\nrbd: couldn't connect to the cluster!\n"
                + "rbd: listing images failed: (110) Connection timed out\n");
        assertEquals(ErrorCode.BACKEND_ERROR, e.code());
        assertEquals("cannot reach the Ceph monitors 127.0.0.1:3300 as client.quantix within 10 s (none answers, or the"
                + " key in /etc/ceph/k is not accepted)", e.getMessage());
    }

    @Test
    void theCephToolsTimeoutIsTheSameError() {
        assertTrue(cli.error("RBD pool 'rbd'", "ceph", "timed out\n").getMessage().startsWith("cannot reach"));
    }

    private ErrorCode code(String stderr) {
        return cli.error("volume 'p1/x'", "rbd", stderr).code();
    }
}
