import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.libvirt.Connect;
import org.libvirt.Domain;

/**
 * The baseline beside Quantix's figures: raw libvirt-java on a connection to the same libvirt test-driver node
 * file (what the node has written, VMs included). listAllDomains at a fixed rate, latency from each call's
 * intended start (a slow call counts against the calls behind it: no coordinated omission), then define+create of
 * fresh domains one at a time, as POST /vms?start=true does through Quantix.
 *   java -cp <libvirt-java and JNA jars> LibvirtFigures.java <uri> <rate/s> <seconds> <creates>
 * Prints figures; asserts nothing.
 */
public class LibvirtFigures {
    public static void main(String[] a) throws Exception {
        Connect connect = new Connect(a[0]);
        int rate = Integer.parseInt(a[1]);
        int seconds = Integer.parseInt(a[2]);
        int creates = Integer.parseInt(a[3]);
        System.out.printf("libvirt-java on %s: %d domains%n", a[0], connect.listAllDomains(0).length);

        int total = rate * seconds;
        long period = 1_000_000_000L / rate;
        List<Long> latencies = new ArrayList<>(total);
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long intended = start + i * period;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            connect.listAllDomains(0);
            latencies.add(System.nanoTime() - intended);
        }
        Collections.sort(latencies);
        System.out.printf("libvirt-java listAllDomains, %d req/s for %d s: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                rate, seconds, pct(latencies, 0.50), pct(latencies, 0.99), latencies.get(total - 1) / 1e6);

        List<Long> created = new ArrayList<>(creates);
        for (int i = 0; i < creates; i++) {
            String xml = "<domain type='test'><name>raw" + i + "</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                    + "<os><type arch='x86_64'>hvm</type></os></domain>";
            long t = System.nanoTime();
            Domain domain = connect.domainDefineXML(xml);
            domain.create();
            created.add(System.nanoTime() - t);
        }
        Collections.sort(created);
        System.out.printf("libvirt-java define+create, %d one at a time: p50 %.2f ms, p99 %.2f ms%n", creates,
                pct(created, 0.50), pct(created, 0.99));
        connect.close();
    }

    private static double pct(List<Long> sorted, double p) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1)) / 1e6;
    }
}
