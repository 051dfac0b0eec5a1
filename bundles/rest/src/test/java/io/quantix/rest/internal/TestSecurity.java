package io.quantix.rest.internal;

import io.quantix.security.internal.AdminService;
import java.lang.annotation.Annotation;
import java.nio.file.Path;

/** The node's real AdminService (Argon2id at its production cost) on a test's own directories. */
final class TestSecurity {
    private TestSecurity() {
    }

    static AdminService adminService(Path dir) {
        System.setProperty("quantix.config.dir", dir.resolve("config").toString());
        System.setProperty("quantix.data.dir", dir.resolve("data").toString());
        return new AdminService(new AdminService.Config() {
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
    }

    static void clear() {
        System.clearProperty("quantix.config.dir");
        System.clearProperty("quantix.data.dir");
    }
}
