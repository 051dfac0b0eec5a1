package io.quantix.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.QuantixException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class PasswordPolicyTest {
    private static String problem(String password) {
        return PasswordPolicy.problem(password.toCharArray(), "admin").orElse("accepted");
    }

    @Test
    void eachRefusalSaysWhy() {
        assertTrue(problem("Short1!").startsWith("too short: 7 characters"));
        assertEquals("it contains the user name", problem("MyAdmin-Password-9"));
        assertEquals("it repeats one or two characters", problem("abababababababab"));
        assertTrue(problem("password1234").startsWith("it is a well-known password"));
        assertTrue(problem("abcdefgh1234").startsWith("it is a run"));
        assertTrue(problem("lowercaseonly12").startsWith("use 3 of"));
    }

    @Test
    void strongOnesPass() {
        assertEquals("accepted", problem("Quantix-Node-2026!"));
        assertEquals("accepted", problem("correct horse battery staple"));
    }

    @Test
    void networkPlansAreValidatedBeforeAnythingIsApplied() {
        assertTrue(NetworkPlan.fixed("eth0", "10.0.0.5/24", "10.0.0.1", "1.1.1.1, 9.9.9.9", 0).describe()
                .contains("10.0.0.5/24 via 10.0.0.1, DNS 1.1.1.1 9.9.9.9"));
        invalid(() -> NetworkPlan.fixed("eth0", "10.0.0.5", "10.0.0.1", "", 0), "needs a prefix");
        invalid(() -> NetworkPlan.fixed("eth0", "10.0.0.5/24", "10.9.0.1", "", 0), "is not in 10.0.0.5/24");
        invalid(() -> NetworkPlan.fixed("eth0;reboot", "10.0.0.5/24", "10.0.0.1", "", 0), "invalid");
        invalid(() -> NetworkPlan.dhcp("eth0", 5000), "VLAN id 5000");
        assertEquals("eth0.20", NetworkPlan.dhcp("eth0", 20).link());
        assertEquals(Optional.empty(), NetworkPlan.dhcp("eth0", 0).cidr());
    }

    private static void invalid(Executable e, String reason) {
        QuantixException x = org.junit.jupiter.api.Assertions.assertThrows(QuantixException.class, e);
        assertTrue(x.getMessage().contains(reason), x.getMessage());
    }
}
