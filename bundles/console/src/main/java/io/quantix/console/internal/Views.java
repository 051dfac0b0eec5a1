package io.quantix.console.internal;

import io.quantix.console.internal.Frame.Style;
import java.util.List;
import java.util.Locale;

/** The console's screens as 80x24 frames: pure functions of what they show, so their layout is unit-tested. */
final class Views {
    static final String KEYS_1 = " F2/N Network  F3/S SSH  F4/J Cluster  F5/R Restart  F7/D Diagnostics";
    static final String KEYS_2 = " F10/P Power  F12/E Emergency shell  Q qx: shell   (letters: no F-keys needed)";

    private Views() {
    }

    static Frame.Builder titled(String version, String title, String right) {
        String left = " QUANTIX " + version + "  " + title;
        int gap = Math.max(1, Frame.COLS - left.length() - right.length() - 1);
        return Frame.builder().line(left + " ".repeat(gap) + right, Style.TITLE).blank();
    }

    static Frame dashboard(DashboardData d) {
        Frame.Builder b = titled(d.version(), d.nodeName(), d.clock());
        b.line(Frame.field("Node", d.nodeName() + (d.simulated() ? "   (SIMULATED hypervisor: no KVM/libvirtd)" : "")));
        b.line(Frame.field("Status", d.status()));
        b.line(Frame.field("Management IP", d.ip().isEmpty() ? "none" : d.ip()));
        b.line(Frame.field("Management URL", d.url()));
        b.blank();
        b.line(Frame.field("CPU", Frame.bar(d.cpu(), 20) + String.format(" %3d%%   %d cores", Math.round(d.cpu() * 100), d.cpus())));
        double mem = d.memTotal() == 0 ? 0 : (double) d.memUsed() / d.memTotal();
        b.line(Frame.field("Memory", Frame.bar(mem, 20) + String.format(" %3d%%   %s of %s", Math.round(mem * 100),
                bytes(d.memUsed()), bytes(d.memTotal()))));
        b.line(Frame.field("VMs", d.vmsRunning() + " running of " + d.vmsTotal()));
        b.line(Frame.field("Storage", d.storage()));
        b.line(Frame.field("Uptime", uptime(d.uptimeSeconds())));
        b.line(Frame.field("SSH", d.ssh()));
        b.blank();
        b.line(String.format(" Log: %d error%s, %d warning%s in its last lines", d.errors(), d.errors() == 1 ? "" : "s",
                d.warnings(), d.warnings() == 1 ? "" : "s"), d.errors() > 0 ? Style.BAD : d.warnings() > 0 ? Style.WARN : Style.DIM);
        for (String line : d.log().subList(Math.max(0, d.log().size() - 5), d.log().size())) {
            b.line("  " + line, line.contains(" ERROR ") ? Style.BAD : line.contains(" WARN ") ? Style.WARN : Style.DIM);
        }
        b.footer(KEYS_1, Style.KEYS);
        b.footer(KEYS_2, Style.KEYS);
        b.footer(" Refreshed every 5 s. Ctrl-C does nothing here: the node keeps running.", Style.DIM);
        return b.build();
    }

    /** A message screen: a title, lines, and what to press. */
    static Frame message(String version, String title, List<String> lines, Style style, String keys) {
        Frame.Builder b = titled(version, title, "");
        for (String line : lines) {
            b.line("   " + line, style);
        }
        b.footer(" " + keys, Style.KEYS);
        return b.build();
    }

    static String bytes(long n) {
        if (n < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.0f MiB", n / 1048576.0);
        }
        return String.format(Locale.ROOT, "%.1f GiB", n / 1073741824.0);
    }

    static String uptime(long seconds) {
        long days = seconds / 86400;
        long hours = seconds % 86400 / 3600;
        long minutes = seconds % 3600 / 60;
        if (days > 0) {
            return days + " day" + (days == 1 ? "" : "s") + ", " + hours + " hour" + (hours == 1 ? "" : "s");
        }
        return hours + " h " + minutes + " min";
    }
}
