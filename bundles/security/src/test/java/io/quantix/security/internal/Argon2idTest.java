package io.quantix.security.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class Argon2idTest {
    private static final Logger LOG = LoggerFactory.getLogger(Argon2idTest.class);

    /** RFC 9106 section 5.3: Argon2id with secret and associated data, 32 KiB, 3 passes, 4 lanes. */
    @Test
    void matchesRfc9106Argon2idVector() {
        char[] password = new char[32];
        Arrays.fill(password, '\u0001'); // UTF-8 encodes it as the RFC's 32 bytes of 0x01
        Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(32).withIterations(3).withParallelism(4)
                .withSalt(filled(16, 0x02)).withSecret(filled(8, 0x03)).withAdditional(filled(12, 0x04))
                .build();

        assertEquals("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659",
                HexFormat.of().formatHex(Argon2id.derive(parameters, password, 32)));
    }

    /** The PHC string the reference implementation (phc-winner-argon2, src/test.c) prints for "password"/"somesalt". */
    @Test
    void verifiesReferenceImplementationPhcString() {
        String reference = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";

        assertTrue(Argon2id.verify("password".toCharArray(), reference));
        assertFalse(Argon2id.verify("passwort".toCharArray(), reference));
    }

    @Test
    void hashesWithDefaultParametersInPhcFormat() {
        Argon2id argon2 = new Argon2id(Argon2id.DEFAULT);
        char[] password = "correct horse battery".toCharArray();

        long start = System.nanoTime();
        String hash = argon2.hash(password);
        LOG.info("Argon2id m=65536 KiB, t=3, p=1: one hash took {} ms", (System.nanoTime() - start) / 1_000_000);

        assertTrue(hash.matches("\\$argon2id\\$v=19\\$m=65536,t=3,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), hash);
        assertTrue(Argon2id.verify(password, hash));
        assertFalse(Argon2id.verify("correct horse battery!".toCharArray(), hash));
    }

    @Test
    void saltsEveryHash() {
        Argon2id argon2 = new Argon2id(new Argon2id.Params(256, 1, 1));

        assertNotEquals(argon2.hash("same password".toCharArray()), argon2.hash("same password".toCharArray()));
    }

    @Test
    void rejectsStringsThatAreNotSaneArgon2idHashes() {
        char[] password = "password".toCharArray();
        String salt = "c29tZXNhbHQ";
        String tag = "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";

        assertFalse(Argon2id.verify(password, null));
        assertFalse(Argon2id.verify(password, "password"));
        assertFalse(Argon2id.verify(password, "$argon2i$v=19$m=65536,t=2,p=1$" + salt + "$" + tag));
        assertFalse(Argon2id.verify(password, "$argon2id$v=16$m=65536,t=2,p=1$" + salt + "$" + tag));
        // A tampered file must not make a login allocate 4 GiB.
        assertFalse(Argon2id.verify(password, "$argon2id$v=19$m=4194304,t=2,p=1$" + salt + "$" + tag));
        assertFalse(Argon2id.verify(password, "$argon2id$v=19$m=65536,t=2,p=1$" + salt + "$" + tag + "A"));
        assertFalse(Argon2id.wellFormed("$argon2id$v=19$m=65536,t=2,p=1$" + salt + "$" + tag + "\n"));
    }

    @Test
    void unmatchableHashIsWellFormedAndMatchesNothing() {
        Argon2id argon2 = new Argon2id(new Argon2id.Params(256, 1, 1));

        assertTrue(Argon2id.wellFormed(argon2.unmatchable()));
        assertFalse(Argon2id.verify("".toCharArray(), argon2.unmatchable()));
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}
