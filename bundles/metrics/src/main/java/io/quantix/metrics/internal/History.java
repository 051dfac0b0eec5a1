package io.quantix.metrics.internal;

import io.quantix.api.HistoryRange;
import io.quantix.api.MetricPoint;
import io.quantix.api.MetricSeries;
import io.quantix.api.MetricsHistory;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The node's and the VMs' recent history in two resolutions ({@link HistoryRange#HOUR}: a point per 5 s sample;
 * {@link HistoryRange#DAY}: the mean of each minute), each a {@link RingStore} with its own cap on VMs. Kept in one
 * file, written atomically, read back at start. Thread-safe: one lock; the sampler writes every 5 s, readers copy.
 */
final class History {
    static final List<String> NODE_SERIES = List.of("cpu_percent", "memory_used_bytes", "vms_running", "vms_total",
            "storage_used_bytes", "storage_capacity_bytes");
    static final List<String> VM_SERIES = List.of("cpu_percent", "memory_bytes", "disk_read_bytes_per_second",
            "disk_write_bytes_per_second", "net_rx_bytes_per_second", "net_tx_bytes_per_second");
    private static final int MAGIC = 0x51584D48; // "QXMH"
    private static final int FORMAT = 1;

    /** The running mean of one subject's current minute. */
    private static final class Minute {
        long minute;
        final double[] sums = new double[RingStore.SERIES];
        final int[] counts = new int[RingStore.SERIES];
    }

    private final RingStore hour;
    private final RingStore day;
    private final Map<String, Minute> minutes = new HashMap<>();

    History(int hourVms, int dayVms) {
        hour = new RingStore(HistoryRange.HOUR.step().toSeconds(), HistoryRange.HOUR.points(), hourVms);
        day = new RingStore(HistoryRange.DAY.step().toSeconds(), HistoryRange.DAY.points(), dayVms);
    }

    /** One sample of a subject ({@link RingStore#NODE_KEY} or a VM's id): NaN where a series has no value. */
    synchronized void record(String subject, long epochSecond, double[] values) {
        hour.put(subject, epochSecond, values);
        long minute = Math.floorDiv(epochSecond, day.stepSeconds());
        Minute current = minutes.get(subject);
        if (current != null && current.minute != minute) {
            flush(subject, current);
            current = null;
        }
        if (current == null) {
            // only a subject that has, or may get, a ring of the day's resolution spends an accumulator
            if (!day.has(subject) && !day.put(subject, (minute - 1) * day.stepSeconds(), nothing())) {
                return;
            }
            current = new Minute();
            current.minute = minute;
            minutes.put(subject, current);
        }
        for (int i = 0; i < RingStore.SERIES; i++) {
            if (!Double.isNaN(values[i])) {
                current.sums[i] += values[i];
                current.counts[i]++;
            }
        }
    }

    private void flush(String subject, Minute m) {
        double[] means = new double[RingStore.SERIES];
        for (int i = 0; i < means.length; i++) {
            means[i] = m.counts[i] == 0 ? Double.NaN : m.sums[i] / m.counts[i];
        }
        day.put(subject, m.minute * day.stepSeconds(), means);
    }

    private static double[] nothing() {
        double[] none = new double[RingStore.SERIES];
        Arrays.fill(none, Double.NaN);
        return none;
    }

    /** Frees the places of subjects gone (deleted VMs) and of those without a point in a whole span. */
    synchronized void retain(Set<String> liveVms, long nowEpochSecond) {
        Set<String> live = new HashSet<>(liveVms);
        live.add(RingStore.NODE_KEY);
        hour.retain(live, nowEpochSecond);
        day.retain(live, nowEpochSecond);
        minutes.keySet().removeIf(s -> !day.has(s));
    }

    synchronized MetricsHistory read(String subject, String label, HistoryRange range, List<String> names,
            long nowEpochSecond) {
        List<List<double[]>> raw = (range == HistoryRange.HOUR ? hour : day).read(subject, nowEpochSecond);
        List<MetricSeries> series = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            List<MetricPoint> points = new ArrayList<>(raw.get(i).size());
            for (double[] p : raw.get(i)) {
                points.add(new MetricPoint(Instant.ofEpochSecond((long) p[0]), p[1]));
            }
            series.add(new MetricSeries(names.get(i), points));
        }
        return new MetricsHistory(label, range, series);
    }

    /** Bytes the rings hold now, and at most. */
    synchronized long bytes() {
        return hour.bytes() + day.bytes() + (long) minutes.size() * 120;
    }

    long maxBytes() {
        return hour.maxBytes() + day.maxBytes() + (long) (day.maxBytes() / (2L * RingStore.SERIES * day.points())) * 120;
    }

    synchronized int subjects(HistoryRange range) {
        return (range == HistoryRange.HOUR ? hour : day).size();
    }

    /**
     * Writes everything to {@code file} atomically ({@link AtomicFile}). The minutes in progress are not kept: a
     * restart loses at most one minute of the day's resolution.
     */
    synchronized void save(Path file) throws IOException {
        AtomicFile.write(file, raw -> {
            DataOutputStream out = new DataOutputStream(raw);
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            hour.write(out);
            day.write(out);
            out.flush();
        });
    }

    /** Reads a file {@link #save} wrote into this (empty) history; IOException if it is not one. */
    synchronized void load(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                throw new IOException(file + " is not a Quantix metrics history of format " + FORMAT);
            }
            hour.read(in);
            day.read(in);
        }
    }
}
