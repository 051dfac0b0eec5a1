package io.quantix.metrics.internal;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The points of one resolution (a step and a number of points) for a bounded number of subjects: per subject one
 * {@code short[]} ring of {@link #SERIES} rows, each value coded in 16 bits by {@link #encode}. Nothing is allocated
 * per sample. A subject beyond the capacity gets no ring; a ring whose newest point is older than its span holds
 * nothing and is dropped by {@link #retain}, which frees its place.
 *
 * <p>Memory: {@code 2 * SERIES * points} bytes of array (+16 of header) and about 120 of map entry, key and ring per
 * subject; {@link #bytes()} computes it. Not thread-safe: the history's lock guards it.
 */
final class RingStore {
    /** Series per subject: the node's and a VM's are both six. */
    static final int SERIES = 6;
    /** No sample in that step. */
    static final short MISSING = (short) 0xFFFF;
    /** 16-bit code steps per doubling: 1/1800 of an octave is 0.039 % relative error; 65534 codes reach 9.4e10. */
    private static final double CODES_PER_OCTAVE = 1800;
    private static final int MAX_CODE = 0xFFFE;
    /** The node's own subject: always has a ring. */
    static final String NODE_KEY = "node";
    /** Per-ring overhead beside its array, for {@link #bytes()}: ring object, HashMap entry, key string. */
    static final int RING_OVERHEAD = 120;

    private static final class Ring {
        final short[] values;
        /** Step number (epoch seconds / step) of the newest point. */
        long newest;

        Ring(int size, long newest) {
            values = new short[size];
            Arrays.fill(values, MISSING);
            this.newest = newest;
        }
    }

    private final long stepSeconds;
    private final int points;
    private final int capacity;
    private final Map<String, Ring> rings = new HashMap<>();

    /** @param capacity subjects with a ring at most, the node's own not counted */
    RingStore(long stepSeconds, int points, int capacity) {
        this.stepSeconds = stepSeconds;
        this.points = points;
        this.capacity = capacity;
    }

    long stepSeconds() {
        return stepSeconds;
    }

    int points() {
        return points;
    }

    int size() {
        return rings.size();
    }

    boolean has(String subject) {
        return rings.containsKey(subject);
    }

    /** Array and bookkeeping bytes of the rings held now. */
    long bytes() {
        return (long) rings.size() * (2L * SERIES * points + 16 + RING_OVERHEAD);
    }

    /** What {@link #bytes()} is when the store is full. */
    long maxBytes() {
        return (long) (capacity + 1) * (2L * SERIES * points + 16 + RING_OVERHEAD);
    }

    /**
     * Stores the values (NaN: none for that series) at the step of {@code epochSecond}. A new subject gets a ring
     * if there is room ({@link #NODE_KEY} always); a step older than the newest is ignored. Returns whether the
     * subject has a ring.
     */
    boolean put(String subject, long epochSecond, double[] values) {
        long step = Math.floorDiv(epochSecond, stepSeconds);
        Ring ring = rings.get(subject);
        if (ring == null) {
            if (!room(subject)) {
                return false;
            }
            ring = new Ring(SERIES * points, step - 1);
            rings.put(subject, ring);
        }
        if (step < ring.newest) {
            return true;
        }
        // the steps between the newest point and this one had no sample
        for (long s = ring.newest + 1; s < step && s <= ring.newest + points; s++) {
            write(ring, s, null);
        }
        write(ring, step, values);
        ring.newest = step;
        return true;
    }

    private boolean room(String subject) {
        return NODE_KEY.equals(subject) || rings.size() - (rings.containsKey(NODE_KEY) ? 1 : 0) < capacity;
    }

    private void write(Ring ring, long step, double[] values) {
        int slot = (int) Math.floorMod(step, (long) points);
        for (int series = 0; series < SERIES; series++) {
            ring.values[series * points + slot] = values == null ? MISSING : encode(values[series]);
        }
    }

    /**
     * The points of each series within the span that ends at {@code nowEpochSecond}, oldest first, as
     * {@code [epochSecond, value]} pairs; empty lists for a subject without a ring.
     */
    List<List<double[]>> read(String subject, long nowEpochSecond) {
        List<List<double[]>> series = new ArrayList<>(SERIES);
        for (int i = 0; i < SERIES; i++) {
            series.add(new ArrayList<>());
        }
        Ring ring = rings.get(subject);
        if (ring == null) {
            return series;
        }
        long now = Math.floorDiv(nowEpochSecond, stepSeconds);
        long first = Math.max(now - points + 1, ring.newest - points + 1);
        for (long step = first; step <= Math.min(now, ring.newest); step++) {
            int slot = (int) Math.floorMod(step, (long) points);
            for (int i = 0; i < SERIES; i++) {
                short code = ring.values[i * points + slot];
                if (code != MISSING) {
                    series.get(i).add(new double[] {step * stepSeconds, decode(code)});
                }
            }
        }
        return series;
    }

    /** Drops the rings of subjects not in {@code live} and of those with no point in the span ending now. */
    void retain(Set<String> live, long nowEpochSecond) {
        long now = Math.floorDiv(nowEpochSecond, stepSeconds);
        rings.entrySet().removeIf(e -> !live.contains(e.getKey()) || e.getValue().newest <= now - points);
    }

    /** Non-negative values in 16 bits, logarithmically: 0 is 0, then 0.039 % relative steps up to 9.4e10. */
    static short encode(double value) {
        if (Double.isNaN(value)) {
            return MISSING;
        }
        if (value <= 0) {
            return 0;
        }
        long code = Math.round(Math.log1p(value) / Math.log(2) * CODES_PER_OCTAVE);
        return (short) Math.min(code, MAX_CODE);
    }

    static double decode(short code) {
        return Math.expm1((code & 0xFFFF) / CODES_PER_OCTAVE * Math.log(2));
    }

    void write(DataOutputStream out) throws IOException {
        out.writeLong(stepSeconds);
        out.writeInt(points);
        out.writeInt(rings.size());
        for (Map.Entry<String, Ring> e : rings.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue().newest);
            for (short v : e.getValue().values) {
                out.writeShort(v);
            }
        }
    }

    /**
     * Reads what {@link #write} wrote. A file of another step or length (the configuration changed) or with
     * more subjects than the capacity is read to its end and only as much is kept as fits.
     */
    void read(DataInputStream in) throws IOException {
        long fileStep = in.readLong();
        int filePoints = in.readInt();
        int count = in.readInt();
        if (filePoints < 1 || filePoints > 1_000_000 || count < 0) {
            throw new IOException("corrupt history: " + filePoints + " points, " + count + " subjects");
        }
        boolean same = fileStep == stepSeconds && filePoints == points;
        for (int i = 0; i < count; i++) {
            String subject = in.readUTF();
            long newest = in.readLong();
            Ring ring = new Ring(SERIES * filePoints, newest);
            for (int v = 0; v < ring.values.length; v++) {
                ring.values[v] = in.readShort();
            }
            if (same && room(subject)) {
                rings.put(subject, ring);
            }
        }
    }
}
