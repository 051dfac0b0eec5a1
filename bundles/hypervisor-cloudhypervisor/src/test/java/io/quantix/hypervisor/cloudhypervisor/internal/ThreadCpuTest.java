package io.quantix.hypervisor.cloudhypervisor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** ThreadCpu on this JVM's own threads, which the JDK names in /proc as it names them in Java. */
class ThreadCpuTest {
    private static final long PID = ProcessHandle.current().pid();

    @Test
    void countsOnlyTheThreadsWhoseNameMatches() throws InterruptedException {
        AtomicBoolean spin = new AtomicBoolean(true);
        Thread vcpu = new Thread(() -> {
            while (spin.get()) {
                Thread.onSpinWait();
            }
        }, "vcpu0");
        vcpu.start();
        try {
            // A busy thread shows in /proc once the kernel has accounted a tick (10 ms) to it.
            Duration limit = Duration.ofSeconds(10);
            long deadline = System.nanoTime() + limit.toNanos();
            while (ThreadCpu.of(PID, "vcpu0"::equals).orElseThrow().isZero()) {
                assertTrue(System.nanoTime() < deadline, "no CPU time accounted to a spinning thread within " + limit);
                Thread.sleep(20);
            }
        } finally {
            spin.set(false);
            vcpu.join();
        }
        assertEquals(Optional.of(Duration.ZERO), ThreadCpu.of(PID, "no-such-thread"::equals));
    }

    @Test
    void aProcessThatIsGoneHasNoCpuTime() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();

        assertEquals(Optional.empty(), ThreadCpu.of(ended.pid(), name -> true));
    }
}
