package io.quantix.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DirectBootTest {

    @Test
    void acceptsAbsolutePathsAndAPlainCommandLine() {
        DirectBoot boot = new DirectBoot("/srv/boot/vmlinuz", "/srv/boot/initrd.gz", "console=ttyS0 a=b&c<d>");

        assertEquals("console=ttyS0 a=b&c<d>", boot.cmdline());
        assertEquals(Optional.of(boot), VmSpec.builder("k").directBoot(boot).build().directBoot());
        assertEquals(Optional.empty(), VmSpec.builder("k").build().directBoot());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "vmlinuz", "./vmlinuz", "/srv/../etc/vmlinuz", "/srv//vmlinuz", "/srv/vm\nlinuz"})
    void rejectsKernelAndInitrdPathsThatAreNotAbsoluteAndNormalised(String path) {
        assertInvalid(() -> new DirectBoot(path, "/srv/initrd", ""));
        assertInvalid(() -> new DirectBoot("/srv/vmlinuz", path, ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"console=ttyS0 x='y'", "init=\"/bin/sh\"", "a\nb", "tab\there"})
    void rejectsQuotesAndControlCharactersInTheCommandLine(String cmdline) {
        assertInvalid(() -> new DirectBoot("/srv/vmlinuz", "/srv/initrd", cmdline));
    }

    @Test
    void rejectsMissingPartsAndOverlongCommandLines() {
        assertInvalid(() -> new DirectBoot(null, "/srv/initrd", ""));
        assertInvalid(() -> new DirectBoot("/srv/vmlinuz", null, ""));
        assertInvalid(() -> new DirectBoot("/srv/vmlinuz", "/srv/initrd", null));
        assertInvalid(() -> new DirectBoot("/srv/vmlinuz", "/srv/initrd", "x".repeat(DirectBoot.MAX_CMDLINE + 1)));
        assertInvalid(() -> VmSpec.builder("k").directBoot(null));
    }

    private static void assertInvalid(Runnable call) {
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class, call::run).code());
    }
}
