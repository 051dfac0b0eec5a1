package io.quantix.console.internal;

import io.quantix.security.AdminAccount;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The wizard's strength check, which says what is wrong rather than only "too weak": at least
 * {@link AdminAccount#MIN_PASSWORD_LENGTH} characters; under 20 characters it needs three kinds of characters
 * (lower case, upper case, digits, others); never the user name, one repeated character, a run such as "abcd1234" or
 * a well-known password.
 */
final class PasswordPolicy {
    static final int LONG_ENOUGH = 20;
    private static final Set<String> COMMON = Set.of("password", "passw0rd", "quantix", "admin", "administrator",
            "letmein", "welcome", "qwerty", "changeme", "vmware", "root", "secret", "default", "iloveyou", "dragon",
            "monkey", "football", "baseball", "master", "shadow", "sunshine", "trustno1", "princess");

    private PasswordPolicy() {
    }

    /** Why the password is refused, or empty when it is accepted. */
    static Optional<String> problem(char[] password, String username) {
        String text = new String(password);
        int length = text.codePointCount(0, text.length());
        if (length < AdminAccount.MIN_PASSWORD_LENGTH) {
            return Optional.of("too short: " + length + " characters, use at least " + AdminAccount.MIN_PASSWORD_LENGTH);
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (!username.isEmpty() && lower.contains(username.toLowerCase(Locale.ROOT))) {
            return Optional.of("it contains the user name");
        }
        if (text.codePoints().distinct().count() <= 2) {
            return Optional.of("it repeats one or two characters");
        }
        String letters = lower.replaceAll("[^a-z]", "");
        if (COMMON.stream().anyMatch(c -> letters.equals(c) || lower.replaceAll("[^a-z0-9]", "").startsWith(c)
                && lower.replaceAll("[^a-z0-9]", "").substring(c.length()).matches("[0-9]*"))) {
            return Optional.of("it is a well-known password with digits or symbols added");
        }
        if (isRun(lower)) {
            return Optional.of("it is a run of neighbouring keys or letters (such as abcd1234)");
        }
        int kinds = (text.chars().anyMatch(Character::isLowerCase) ? 1 : 0)
                + (text.chars().anyMatch(Character::isUpperCase) ? 1 : 0)
                + (text.chars().anyMatch(Character::isDigit) ? 1 : 0)
                + (text.chars().anyMatch(c -> !Character.isLetterOrDigit(c)) ? 1 : 0);
        if (length < LONG_ENOUGH && kinds < 3) {
            return Optional.of("use 3 of: lower case, upper case, digits, symbols (or " + LONG_ENOUGH
                    + "+ characters, e.g. four words)");
        }
        return Optional.empty();
    }

    /** Every character one more (or one less) than the one before, within letters and digits: "abcdefgh1234". */
    private static boolean isRun(String lower) {
        String s = lower.replaceAll("[^a-z0-9]", "");
        if (s.length() < lower.length() / 2 || s.length() < 4) {
            return false;
        }
        int steps = 0;
        for (int i = 1; i < s.length(); i++) {
            int d = s.charAt(i) - s.charAt(i - 1);
            if (d == 1 || d == -1 || Character.isDigit(s.charAt(i)) != Character.isDigit(s.charAt(i - 1))) {
                steps++;
            }
        }
        return steps == s.length() - 1;
    }
}
