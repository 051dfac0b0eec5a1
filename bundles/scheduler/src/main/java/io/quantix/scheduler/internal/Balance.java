package io.quantix.scheduler.internal;

import io.quantix.scheduler.ClusterState;
import io.quantix.scheduler.DrsInput;
import io.quantix.scheduler.Guest;
import io.quantix.scheduler.Node;
import io.quantix.scheduler.Policy;
import io.quantix.scheduler.Usage;
import java.util.List;

/**
 * The nodes' load and the imbalance DRS lowers. Only reachable nodes out of maintenance take part (the others are
 * on their way out or cannot be reached to migrate from). Each takes part with two use ratios, CPU cores in use per
 * physical CPU and memory in use per byte it has; the imbalance is the weighted mean (the policy's CPU and memory
 * weights) of the two ratios' population standard deviations over those nodes. 0 is perfectly even; 0 too with
 * fewer than two nodes taking part. Indices are those of {@link ClusterState#nodes()}.
 */
public final class Balance {
    private final int n;
    private final boolean[] in;
    private final int m;
    private final double[] cpuCap;
    private final double[] memCap;
    private final double[] cpuUse;
    private final double[] memUse;
    private final double cpuWeight;
    private final double memoryWeight;
    // sums of the ratios' differences from the means at the last recompute: kept near 0, so the variance, a
    // difference of two such sums, loses no digits to cancellation (which the square root would magnify)
    private double shiftCpu;
    private double shiftMem;
    private double sumCpu;
    private double sqCpu;
    private double sumMem;
    private double sqMem;

    public Balance(ClusterState state, DrsInput input, Policy policy) {
        List<Node> nodes = state.nodes();
        n = nodes.size();
        in = new boolean[n];
        cpuCap = new double[n];
        memCap = new double[n];
        cpuUse = new double[n];
        memUse = new double[n];
        double wsum = policy.cpuWeight() + policy.memoryWeight();
        cpuWeight = policy.cpuWeight() / wsum;
        memoryWeight = policy.memoryWeight() / wsum;
        int count = 0;
        for (int i = 0; i < n; i++) {
            Node node = nodes.get(i);
            in[i] = node.reachable() && !node.maintenance();
            count += in[i] ? 1 : 0;
            cpuCap[i] = node.cpus();
            memCap[i] = node.memoryBytes();
            Usage measured = input.nodeUsage().get(node.id());
            if (measured != null) {
                cpuUse[i] = measured.cpuCores();
                memUse[i] = measured.memoryBytes();
            } else {
                for (Guest g : state.guestsOn(node.id())) {
                    Usage u = usage(input, g);
                    cpuUse[i] += u.cpuCores();
                    memUse[i] += u.memoryBytes();
                }
            }
        }
        m = count;
        recompute();
    }

    /** The guest's measured use, or its allocation when it has no history. */
    public static Usage usage(DrsInput input, Guest g) {
        Usage u = input.guestUsage().get(g.name());
        return u != null ? u : new Usage(g.vcpus(), g.memoryBytes());
    }

    public boolean takesPart(int i) {
        return in[i];
    }

    public double cpuRatio(int i) {
        return cpuUse[i] / cpuCap[i];
    }

    public double memoryRatio(int i) {
        return memUse[i] / memCap[i];
    }

    /** The weighted use ratio that orders nodes from most to least loaded. */
    public double load(int i) {
        return cpuWeight * cpuRatio(i) + memoryWeight * memoryRatio(i);
    }

    /** The mean of {@link #load} over the nodes that take part. */
    public double meanLoad() {
        return cpuWeight * meanCpuRatio() + memoryWeight * meanMemoryRatio();
    }

    public double meanCpuRatio() {
        return m == 0 ? 0 : shiftCpu + sumCpu / m;
    }

    public double meanMemoryRatio() {
        return m == 0 ? 0 : shiftMem + sumMem / m;
    }

    public double imbalance() {
        return cpuWeight * deviation(sumCpu, sqCpu) + memoryWeight * deviation(sumMem, sqMem);
    }

    /** The imbalance were {@code u} to leave node {@code s} for node {@code t} (both taking part); O(1). */
    public double imbalanceIf(int s, int t, Usage u) {
        double cs0 = cpuUse[s] / cpuCap[s] - shiftCpu;
        double ct0 = cpuUse[t] / cpuCap[t] - shiftCpu;
        double cs1 = (cpuUse[s] - u.cpuCores()) / cpuCap[s] - shiftCpu;
        double ct1 = (cpuUse[t] + u.cpuCores()) / cpuCap[t] - shiftCpu;
        double ms0 = memUse[s] / memCap[s] - shiftMem;
        double mt0 = memUse[t] / memCap[t] - shiftMem;
        double ms1 = (memUse[s] - u.memoryBytes()) / memCap[s] - shiftMem;
        double mt1 = (memUse[t] + u.memoryBytes()) / memCap[t] - shiftMem;
        double cpu = deviation(sumCpu - cs0 - ct0 + cs1 + ct1, sqCpu - cs0 * cs0 - ct0 * ct0 + cs1 * cs1 + ct1 * ct1);
        double mem = deviation(sumMem - ms0 - mt0 + ms1 + mt1, sqMem - ms0 * ms0 - mt0 * mt0 + ms1 * ms1 + mt1 * mt1);
        return cpuWeight * cpu + memoryWeight * mem;
    }

    public void move(int s, int t, Usage u) {
        cpuUse[s] -= u.cpuCores();
        memUse[s] -= u.memoryBytes();
        cpuUse[t] += u.cpuCores();
        memUse[t] += u.memoryBytes();
        // from scratch, so the updates of many moves add no rounding drift
        recompute();
    }

    private void recompute() {
        shiftCpu = shiftMem = 0;
        for (int i = 0; i < n; i++) {
            if (in[i]) {
                shiftCpu += cpuRatio(i);
                shiftMem += memoryRatio(i);
            }
        }
        shiftCpu = m == 0 ? 0 : shiftCpu / m;
        shiftMem = m == 0 ? 0 : shiftMem / m;
        sumCpu = sqCpu = sumMem = sqMem = 0;
        for (int i = 0; i < n; i++) {
            if (in[i]) {
                double c = cpuRatio(i) - shiftCpu;
                double mem = memoryRatio(i) - shiftMem;
                sumCpu += c;
                sqCpu += c * c;
                sumMem += mem;
                sqMem += mem * mem;
            }
        }
    }

    private double deviation(double sum, double squares) {
        if (m < 2) {
            return 0;
        }
        double mean = sum / m;
        return Math.sqrt(Math.max(0, squares / m - mean * mean));
    }
}
