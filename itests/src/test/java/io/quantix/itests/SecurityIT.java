package io.quantix.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.quantix.api.ErrorCode;
import io.quantix.security.AdminAccount;
import io.quantix.security.Authenticator;
import io.quantix.security.TlsMaterial;
import io.quantix.security.Token;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.util.Set;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** First boot of a node: no admin, no way in; then setup, login, lockout; TLS material made once. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SecurityIT extends QuantixTestSupport {
    @Inject
    AdminAccount admin;
    @Inject
    Authenticator auth;
    @Inject
    TlsMaterial tls;

    @Test
    public void noDefaultCredentialsThenSetupLoginAndLockout() throws Exception {
        assertFalse("a fresh node has no admin", admin.exists());
        assertFails(ErrorCode.UNAUTHENTICATED, () -> auth.login("admin", "admin".toCharArray(), "itest"));

        assertFails(ErrorCode.INVALID_ARGUMENT, () -> admin.create("admin", "short".toCharArray()));
        assertFalse(admin.exists());
        admin.create("admin", "correct horse battery".toCharArray());
        assertTrue(admin.exists());

        Token token = auth.login("admin", "correct horse battery".toCharArray(), "itest");
        assertEquals("admin", auth.verify(token.value()).orElseThrow().username());
        auth.revoke(token.value());
        assertTrue(auth.verify(token.value()).isEmpty());

        for (int i = 0; i < 4; i++) {
            assertFails(ErrorCode.UNAUTHENTICATED, () -> auth.login("admin", "wrong password!".toCharArray(), "itest"));
        }
        assertFails(ErrorCode.LOCKED_OUT, () -> auth.login("admin", "wrong password!".toCharArray(), "itest"));
        assertFails(ErrorCode.LOCKED_OUT, () -> auth.login("admin", "correct horse battery".toCharArray(), "itest"));
    }

    @Test
    public void theNodeHasItsOwnTlsCertificate() throws Exception {
        assertTrue(Files.isRegularFile(tls.keyStorePath()));
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(tls.keyStorePath()));
        String alias = tls.keyStore().aliases().nextElement();
        X509Certificate cert = (X509Certificate) tls.keyStore().getCertificate(alias);
        assertTrue(cert.getSubjectAlternativeNames().stream().anyMatch(san -> san.get(1).equals("127.0.0.1")));
    }
}
