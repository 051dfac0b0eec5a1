package io.quantix.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.HistoryRange;
import io.quantix.api.MetricPoint;
import io.quantix.api.MetricsHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {
    private static final long T0 = 1_800_000_000L; // a multiple of 60

    @TempDir
    Path dir;

    private static double[] cpu(double percent) {
        return new double[] {percent, 1e9, 100, 200, Double.NaN, 0};
    }

    @Test
    void theDayResolutionIsTheMeanOfEachMinuteAndTheHourOneEverySample() {
        History history = new History(10, 10);
        for (int i = 0; i < 12; i++) {
            history.record("vm-1", T0 + 5 * i, cpu(i)); // minute 0: 0..11, mean 5.5
        }
        history.record("vm-1", T0 + 60, cpu(50)); // the next minute closes minute 0

        MetricsHistory day = history.read("vm-1", "web-1", HistoryRange.DAY, History.VM_SERIES, T0 + 61);
        assertEquals(List.of(new MetricPoint(java.time.Instant.ofEpochSecond(T0), day.series().get(0).points().get(0).value())),
                day.series().get(0).points());
        assertEquals(5.5, day.series().get(0).points().get(0).value(), 0.01);
        assertTrue(day.series().get(4).points().isEmpty(), "a series without values has no points");
        MetricsHistory hour = history.read("vm-1", "web-1", HistoryRange.HOUR, History.VM_SERIES, T0 + 61);
        assertEquals(13, hour.series().get(0).points().size());
        assertEquals("cpu_percent", hour.series().get(0).name());
        assertEquals("web-1", hour.subject());
    }

    @Test
    void aSavedHistoryLoadedByANewInstanceHasTheSamePoints() throws Exception {
        History history = new History(10, 10);
        for (int i = 0; i < 30; i++) {
            history.record(RingStore.NODE_KEY, T0 + 5 * i, cpu(i * 3));
            history.record("vm-1", T0 + 5 * i, cpu(i));
        }
        Path file = dir.resolve("metrics/history.bin");
        history.save(file);

        History restarted = new History(10, 10); // as the next start of the node does
        MetricsComponent.load(restarted, file);

        for (HistoryRange range : HistoryRange.values()) {
            for (String subject : List.of(RingStore.NODE_KEY, "vm-1")) {
                assertEquals(history.read(subject, subject, range, History.VM_SERIES, T0 + 150),
                        restarted.read(subject, subject, range, History.VM_SERIES, T0 + 150), subject + " " + range);
            }
        }
        assertEquals(30, restarted.read("vm-1", "vm-1", HistoryRange.HOUR, History.VM_SERIES, T0 + 150)
                .series().get(0).points().size());
        assertFalse(Files.exists(file.resolveSibling(".history.bin.tmp")), "no temporary file left");
    }

    @Test
    void anUnreadableFileIsMovedAsideAndTheHistoryStartsEmpty() throws Exception {
        Path file = dir.resolve("history.bin");
        Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        History history = new History(10, 10);

        MetricsComponent.load(history, file);

        assertEquals(0, history.subjects(HistoryRange.HOUR));
        assertTrue(Files.exists(dir.resolve("history.bin.unreadable")));
        assertFalse(Files.exists(file));
    }

    /** The budget at 10,000 VMs: the caps hold, and the figure printed is what the rings take on the heap. */
    @Test
    void tenThousandVmsStayWithinTheCapsAndTheComputedBudget() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        History history = new History(1000, 1000);
        Set<String> live = new HashSet<>();
        for (int vm = 0; vm < 10_000; vm++) {
            live.add("vm-" + vm);
        }
        for (int step = 0; step < 24; step++) { // two minutes of samples
            for (int vm = 0; vm < 10_000; vm++) {
                history.record("vm-" + vm, T0 + 5 * step, cpu(vm % 100));
            }
            history.record(RingStore.NODE_KEY, T0 + 5 * step, cpu(1));
            history.retain(live, T0 + 5 * step);
        }
        System.gc();
        long measured = rt.totalMemory() - rt.freeMemory() - heapBefore;

        assertEquals(1001, history.subjects(HistoryRange.HOUR), "1,000 VMs and the node");
        assertEquals(1001, history.subjects(HistoryRange.DAY));
        assertTrue(history.bytes() <= history.maxBytes(), history.bytes() + " <= " + history.maxBytes());
        System.out.printf("history at 10,000 VMs (caps 1,000/1,000): computed %d bytes (max %d), heap grew by %d bytes%n",
                history.bytes(), history.maxBytes(), measured);
    }
}
