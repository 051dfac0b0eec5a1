package io.quantix.grpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quantix.security.internal.AdminService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Open streams end the moment their token is revoked, against the node's real AdminService. */
class OpenStreamsTest {
    @TempDir
    Path dir;
    private TestAdmin admin;
    private AdminService security;
    private OpenStreams streams;

    @BeforeEach
    void setUp() {
        admin = new TestAdmin(dir);
        security = admin.security;
        streams = new OpenStreams(security, 8);
    }

    @AfterEach
    void clear() {
        admin.close();
    }

    @Test
    void revokingEverySessionEndsTheStreamsAtOnce() {
        TestStream revoked = open();
        security.revokeAll("127.0.0.1");
        assertEquals(Status.Code.UNAUTHENTICATED, revoked.status().getStatus().getCode());
    }

    @Test
    void aPasswordChangeEndsTheOtherSessionsStreamsOnly() {
        TestStream other = open();
        TestStream own = open();

        security.changePassword("admin", TestAdmin.PASSWORD.toCharArray(), "a new long password".toCharArray(), "127.0.0.1",
                own.token());

        assertEquals(Status.Code.UNAUTHENTICATED, other.status().getStatus().getCode());
        assertNull(own.status(), "the caller's own stream stays open");
    }

    @Test
    void aStreamOfALoggedOutTokenEndsAndAClosedOneIsNotTouched() {
        TestStream loggedOut = open();
        TestStream closed = open();
        streams.remove(closed);

        security.revoke(loggedOut.token());
        security.revoke(closed.token());

        assertEquals(Status.Code.UNAUTHENTICATED, loggedOut.status().getStatus().getCode());
        assertNull(closed.status(), "a stream already removed is not ended twice");
    }

    private TestStream open() {
        TestStream stream = new TestStream(admin.login());
        streams.add(stream);
        return stream;
    }

    /** Records how it was ended. */
    private static final class TestStream implements OpenStreams.Stream {
        private final String token;
        private final List<StatusRuntimeException> ends = new ArrayList<>();

        TestStream(String token) {
            this.token = token;
        }

        @Override
        public String token() {
            return token;
        }

        @Override
        public synchronized void end(StatusRuntimeException status) {
            ends.add(status);
        }

        synchronized StatusRuntimeException status() {
            assertEquals(true, ends.size() <= 1, "ended at most once: " + ends);
            return ends.isEmpty() ? null : ends.get(0);
        }
    }
}
