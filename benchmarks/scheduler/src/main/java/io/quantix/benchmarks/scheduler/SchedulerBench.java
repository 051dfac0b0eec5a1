package io.quantix.benchmarks.scheduler;

import io.quantix.scheduler.ClusterState;
import io.quantix.scheduler.Drs;
import io.quantix.scheduler.DrsInput;
import io.quantix.scheduler.DrsPlan;
import io.quantix.scheduler.DrsPolicy;
import io.quantix.scheduler.Guest;
import io.quantix.scheduler.Node;
import io.quantix.scheduler.Policy;
import io.quantix.scheduler.Scheduler;
import io.quantix.scheduler.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/**
 * One placement over 1,000 nodes and one DRS plan for 10,000 VMs on them (issue 14's "Measure"), and what building
 * the cluster state they read costs. The cluster is
 * synthetic and seeded: nodes with two backends, shared and local pools, zones and labels, a few in maintenance or
 * unreachable; ten guests a node in anti-affinity and affinity groups; a tenth of the nodes hot (their guests busy).
 * The guest placed needs a pool, a network, a label and an anti-affinity group, so every filter does its work.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SchedulerBench {
    static final long GIB = 1L << 30;

    @State(Scope.Benchmark)
    public static class Cluster {
        @Param("1000")
        public int nodes;
        @Param("10")
        public int vmsPerNode;
        @Param("8")
        public int maxMoves;

        ClusterState state;
        Guest guest;
        Policy policy;
        DrsInput input;
        DrsPolicy drs;

        @Setup
        public void build() {
            Random random = new Random(14);
            List<Node> list = new ArrayList<>();
            Map<String, List<Guest>> guests = new HashMap<>();
            Map<String, Usage> guestUsage = new HashMap<>();
            int vm = 0;
            for (int i = 0; i < nodes; i++) {
                String id = String.format(Locale.ROOT, "node-%04d", i);
                boolean hot = i % 10 == 3;
                List<Guest> on = new ArrayList<>();
                int cpus = 0;
                long memory = 0;
                for (int j = 0; j < vmsPerNode; j++, vm++) {
                    Guest.Builder g = Guest.builder("vm-" + vm).vcpus(1 + random.nextInt(8))
                            .memoryBytes((1 + random.nextInt(32)) * GIB).pool("nfs").network("lan");
                    if (vm % 20 == 0) {
                        g.antiAffinityGroup("ha-" + vm / 20 % 50);
                    }
                    if (vm % 50 == 7) {
                        g.affinityGroup("app-" + vm / 50 % 100);
                    }
                    Guest guest = g.build();
                    on.add(guest);
                    cpus += guest.vcpus();
                    memory += guest.memoryBytes();
                    double busy = hot ? 0.8 + 0.2 * random.nextDouble() : 0.1 + 0.4 * random.nextDouble();
                    guestUsage.put(guest.name(), new Usage(guest.vcpus() * busy,
                            (long) (guest.memoryBytes() * (0.6 + 0.35 * random.nextDouble()))));
                }
                Node.Builder node = Node.builder(id, id).cpus(64).memoryBytes((i % 4 == 0 ? 256 : 512) * GIB)
                        .usedCpus(cpus + 2).usedMemoryBytes(memory + 8 * GIB).backend("libvirt").pool("nfs")
                        .pool("local-" + i).network("lan").network("storage").label("zone=" + "abc".charAt(i % 3))
                        .maintenance(i % 50 == 1).reachable(i % 100 != 2);
                if (i % 2 == 0) {
                    node.backend("cloud-hypervisor").label("ssd");
                }
                list.add(node.build());
                guests.put(id, on);
            }
            state = new ClusterState(list, guests);
            guest = Guest.builder("new-vm").vcpus(4).memoryBytes(16 * GIB).pool("nfs").network("lan").requiredLabel("ssd")
                    .antiAffinityGroup("ha-7").build();
            policy = Policy.defaults();
            input = new DrsInput(Map.of(), guestUsage, Map.of("vm-33", Instant.parse("2026-12-04T11:50:00Z")),
                    Instant.parse("2026-12-04T12:00:00Z"));
            // threshold 0: a plan's gain over 1,000 nodes is small, and the figure is for a plan that is proposed
            drs = DrsPolicy.builder().maxMoves(maxMoves).threshold(0).build();
        }
    }

    @Benchmark
    public Node place(Cluster c) {
        return Scheduler.place(c.state, c.guest, c.policy);
    }

    /** What the caller pays before a placement: the state (and its indexes) built from the records. */
    @Benchmark
    public ClusterState buildState(Cluster c) {
        return new ClusterState(c.state.nodes(), c.state.guests());
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public DrsPlan drsPlan(Cluster c) {
        return Drs.plan(c.state, c.input, c.drs);
    }

    /** Runs both and prints the figures: {@code [maxMoves]}. */
    public static void main(String[] args) throws RunnerException {
        String moves = args.length > 0 ? args[0] : "8";
        Collection<RunResult> results = new Runner(new OptionsBuilder().include(SchedulerBench.class.getName())
                .param("maxMoves", moves).forks(1).jvmArgsAppend("-Xms1g", "-Xmx1g").warmupIterations(3).warmupTime(TimeValue.seconds(2))
                .measurementIterations(5).measurementTime(TimeValue.seconds(2)).build()).run();
        Cluster c = new Cluster();
        c.nodes = 1000;
        c.vmsPerNode = 10;
        c.maxMoves = Integer.parseInt(moves);
        c.build();
        DrsPlan plan = Drs.plan(c.state, c.input, c.drs);
        System.out.println();
        for (RunResult r : results) {
            Statistics s = r.getPrimaryResult().getStatistics();
            String unit = r.getPrimaryResult().getScoreUnit();
            String name = r.getParams().getBenchmark();
            String[] what = name.endsWith(".place") ? new String[] {"one placement over 1,000 nodes (10,000 VMs placed)", "; target <= 1 ms p99"}
                    : name.endsWith(".drsPlan") ? new String[] {"one DRS plan for 10,000 VMs on 1,000 nodes (at most " + moves + " moves)", "; target <= 1 s"}
                    : new String[] {"building the cluster state of 1,000 nodes and 10,000 VMs", ""};
            System.out.printf(Locale.ROOT, "%s: p50 %.3f %s, p99 %.3f %s, max %.3f %s, %d samples%s%n", what[0],
                    s.getPercentile(50), unit, s.getPercentile(99), unit, s.getMax(), unit, s.getN(), what[1]);
        }
        System.out.printf(Locale.ROOT, "the DRS plan: %s; the placement picks %s%n", plan.summary(),
                Scheduler.place(c.state, c.guest, c.policy).id());
    }
}
