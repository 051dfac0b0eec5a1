package io.quantix.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RingStoreTest {
    private static final long T0 = 1_800_000_000L; // a multiple of 5 and of 60

    private static double[] values(double v) {
        return new double[] {v, v * 2, v * 3, v * 4, v * 5, v * 6};
    }

    @Test
    void theSixteenBitCodeKeepsZeroAndIsWithinFourHundredthsOfAPercent() {
        assertEquals(0, RingStore.decode(RingStore.encode(0)));
        assertEquals(RingStore.MISSING, RingStore.encode(Double.NaN));
        for (double v : new double[] {0.5, 1, 3.7, 99.9, 4096, 1e6, 2.5e8, 17e9, 6.4e10}) {
            double back = RingStore.decode(RingStore.encode(v));
            assertTrue(Math.abs(back - v) <= v * 0.0004 + 0.0004, v + " came back as " + back);
        }
    }

    @Test
    void pointsComeBackOldestFirstWithGapsLeftOutAndTheOldestOverwritten() {
        RingStore store = new RingStore(5, 4, 10);
        store.put("a", T0, values(1));
        store.put("a", T0 + 5, values(2));
        store.put("a", T0 + 20, values(5)); // two steps without a sample

        List<List<double[]>> read = store.read("a", T0 + 20);
        assertEquals(List.of(T0 + 5.0, T0 + 20.0), read.get(0).stream().map(p -> p[0]).toList(),
                "four steps reach back to T0+5; T0+10 and T0+15 had no sample");
        assertEquals(10, read.get(1).get(1)[1], 0.01);
        assertTrue(store.read("a", T0 + 45).get(0).isEmpty(), "nothing within the last four steps");
        assertTrue(store.read("b", T0).get(0).isEmpty());
    }

    @Test
    void theCapRefusesNewVmsButNeverTheNodeAndRetainFreesPlaces() {
        RingStore store = new RingStore(5, 4, 2);
        assertTrue(store.put("vm-1", T0, values(1)));
        assertTrue(store.put("vm-2", T0, values(1)));
        assertFalse(store.put("vm-3", T0, values(1)), "full");
        assertTrue(store.put(RingStore.NODE_KEY, T0, values(1)), "the node is not counted");

        store.retain(Set.of("vm-2", "vm-3", RingStore.NODE_KEY), T0 + 5); // vm-1 was deleted
        assertTrue(store.put("vm-3", T0 + 5, values(1)), "its place is free again");
        store.retain(Set.of("vm-2", "vm-3", RingStore.NODE_KEY), T0 + 15);
        assertTrue(store.has("vm-2"), "a point 3 steps back is still in the span of 4");
        store.retain(Set.of("vm-2", "vm-3", RingStore.NODE_KEY), T0 + 20);
        assertFalse(store.has("vm-2"), "no point in the whole span: dropped");
        assertTrue(store.has("vm-3"));
        assertEquals(1, store.size(), "the node's one point is out of the span as well");
        assertEquals(1 * (2L * 6 * 4 + 16 + RingStore.RING_OVERHEAD), store.bytes());
    }
}
