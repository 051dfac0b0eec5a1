package io.quantix.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.VolumeRef;
import org.junit.jupiter.api.Test;

class VmManagerTest {

    @Test
    void diskVolumeNamesStayValidForTheLongestVmName() {
        String longest = "v".repeat(63);
        String volume = VmManager.diskVolumeName(longest, 25);
        assertTrue(volume.endsWith("-disk25"));
        assertEquals(63, new VolumeRef("default", volume).volume().length());
        assertEquals("web-disk0", VmManager.diskVolumeName("web", 0));
    }
}
