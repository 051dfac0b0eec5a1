package io.quantix.cluster.internal;

import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The join token's text: {@code QX1.<SHA-256 of the CA certificate>.<secret>}, both base64url. The fingerprint lets
 * the joining node check whom it talks to before it sends the secret; the cluster keeps only a hash of the secret.
 */
final class JoinTokens {
    private static final String PREFIX = "QX1";
    private static final int SECRET_BYTES = 24;
    private static final Pattern FORM = Pattern.compile(PREFIX + "\\.([A-Za-z0-9_-]{43})\\.([A-Za-z0-9_-]{32})");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A parsed token: the CA certificate's SHA-256 and the secret. */
    record Parsed(byte[] caDigest, String secret) {
        /** The znode name the cluster keeps the token under: the secret's SHA-256, so the znode gives the secret away to nobody. */
        String id() {
            return HexFormat.of().formatHex(sha256(secret.getBytes(StandardCharsets.US_ASCII)));
        }

        @Override
        public String toString() {
            return "JoinToken[CA " + HexFormat.of().formatHex(caDigest) + "]";
        }
    }

    private JoinTokens() {
    }

    static Parsed newToken(byte[] caDigest) {
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secret);
        return new Parsed(caDigest.clone(), Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
    }

    static String format(Parsed token) {
        return PREFIX + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(token.caDigest()) + "." + token.secret();
    }

    /** UNAUTHENTICATED for anything that is not a token's form; the message never repeats the input. */
    static Parsed parse(String token) {
        Matcher matcher = FORM.matcher(token == null ? "" : token.strip());
        if (!matcher.matches()) {
            throw new QuantixException(ErrorCode.UNAUTHENTICATED,
                    "not a Quantix join token (expected QX1.<CA fingerprint>.<secret> from qx:cluster-token)");
        }
        return new Parsed(Base64.getUrlDecoder().decode(matcher.group(1)), matcher.group(2));
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }
}
