package io.quantix.security.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes in the PHC string format ({@code $argon2id$v=19$m=..,t=..,p=..$salt$hash}, unpadded
 * standard Base64), the form libargon2 and most tools read and write.
 */
final class Argon2id {
    /**
     * RFC 9106's second recommended option (64 MiB, 3 passes) with one lane instead of four: about 0.3-0.5 s on a
     * node, and logins run one at a time (see AdminService), so one lane keeps that cost on one core.
     */
    static final Params DEFAULT = new Params(65536, 3, 1);
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,3}),p=(\\d{1,2})\\$([A-Za-z0-9+/]{11,88})\\$([A-Za-z0-9+/]{22,88})");

    private final Params params;
    private final SecureRandom random = new SecureRandom();

    Argon2id(Params params) {
        this.params = params;
    }

    /** Hashes with a fresh random salt. */
    String hash(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = derive(params, salt, password, HASH_BYTES);
        return format(salt, hash);
    }

    /**
     * A well-formed hash with these parameters that no password matches (its salt and tag are zeros): checking a
     * password against it costs what a real check costs, so unknown user names answer as slowly as the admin's.
     */
    String unmatchable() {
        return format(new byte[SALT_BYTES], new byte[HASH_BYTES]);
    }

    private String format(byte[] salt, byte[] hash) {
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return "$argon2id$v=19$m=" + params.memoryKiB() + ",t=" + params.iterations() + ",p=" + params.parallelism()
                + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    /**
     * Whether the password matches the hash, with the parameters stored in it (so hashes written with older
     * parameters still verify). False for a string that is not a sane Argon2id PHC string.
     */
    static boolean verify(char[] password, String phc) {
        Optional<Parsed> parsed = parse(phc);
        if (parsed.isEmpty()) {
            return false;
        }
        byte[] expected = parsed.get().hash();
        try {
            return MessageDigest.isEqual(expected, derive(parsed.get().params(), parsed.get().salt(), password, expected.length));
        } catch (IllegalArgumentException notUnicode) {
            return false;
        }
    }

    /** Whether the string is a hash {@link #verify} accepts; used to reject a damaged admin file early. */
    static boolean wellFormed(String phc) {
        return parse(phc).isPresent();
    }

    private static Optional<Parsed> parse(String phc) {
        Matcher m = phc == null ? null : PHC.matcher(phc);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        Params params = new Params(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        try {
            return Optional.of(new Parsed(params, Base64.getDecoder().decode(m.group(4)), Base64.getDecoder().decode(m.group(5))))
                    .filter(p -> p.params().sane());
        } catch (IllegalArgumentException badBase64) {
            return Optional.empty();
        }
    }

    static byte[] derive(Params params, byte[] salt, char[] password, int length) {
        return derive(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(params.memoryKiB())
                .withIterations(params.iterations())
                .withParallelism(params.parallelism())
                .withSalt(salt)
                .build(), password, length);
    }

    static byte[] derive(Argon2Parameters parameters, char[] password, int length) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        byte[] secret = utf8(password);
        try {
            byte[] out = new byte[length];
            generator.generateBytes(secret, out);
            return out;
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** UTF-8 without going through a String, so the bytes can be wiped; unpaired surrogates are rejected. */
    static byte[] utf8(char[] chars) {
        ByteBuffer buffer;
        try {
            buffer = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(chars));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("password is not valid Unicode text");
        }
        byte[] bytes = Arrays.copyOf(buffer.array(), buffer.limit());
        Arrays.fill(buffer.array(), (byte) 0);
        return bytes;
    }

    private record Parsed(Params params, byte[] salt, byte[] hash) {
    }

    record Params(int memoryKiB, int iterations, int parallelism) {
        /**
         * Bounds for parameters read back from a file: anything outside them is a damaged or tampered hash, and
         * honouring it could make one login allocate gigabytes or run for minutes.
         */
        boolean sane() {
            return parallelism >= 1 && parallelism <= 16 && iterations >= 1 && iterations <= 32
                    && memoryKiB >= 8 * parallelism && memoryKiB <= 1024 * 1024;
        }
    }
}
