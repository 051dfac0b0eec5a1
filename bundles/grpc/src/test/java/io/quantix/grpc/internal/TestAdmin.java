package io.quantix.grpc.internal;

import io.quantix.security.internal.AdminService;
import java.lang.annotation.Annotation;
import java.nio.file.Path;

/** The node's real AdminService on a test's own folders, with its admin created; {@link #close} undoes the folders. */
final class TestAdmin implements AutoCloseable {
    static final String PASSWORD = "correct horse battery";

    final AdminService security;

    TestAdmin(Path dir) {
        System.setProperty("quantix.config.dir", dir.resolve("config").toString());
        System.setProperty("quantix.data.dir", dir.resolve("data").toString());
        security = new AdminService(new AdminService.Config() {
            @Override
            public int tokenTtlMinutes() {
                return 720;
            }

            @Override
            public int lockoutSeconds() {
                return 900;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return AdminService.Config.class;
            }
        });
        security.create("admin", PASSWORD.toCharArray());
    }

    /** A fresh session's token, as if logged in from loopback. */
    String login() {
        return security.login("admin", PASSWORD.toCharArray(), "127.0.0.1").value();
    }

    @Override
    public void close() {
        System.clearProperty("quantix.config.dir");
        System.clearProperty("quantix.data.dir");
    }
}
