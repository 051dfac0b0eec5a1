package io.quantix.console.internal;

import io.quantix.api.QuantixException;
import io.quantix.console.internal.Frame.Style;
import io.quantix.console.internal.Tty.Press;
import java.util.List;
import java.util.Optional;

/**
 * The management network screen, for the wizard's step 3 and for F2: the target's interfaces with link state and
 * MAC, then DHCP or a static address, gateway and DNS, and an optional VLAN; applied and checked, and when the
 * gateway does not answer, the previous settings are put back and the person chooses: retry, edit, or keep the plan
 * unapplied.
 */
final class NetworkDialog {
    /** The chosen plan and what applying it did. */
    record Result(NetworkPlan plan, String outcome) {
    }

    private final Tty tty;
    private final Renderer renderer;
    private final String version;
    private final NetworkTarget target;
    private final String title;

    NetworkDialog(Tty tty, Renderer renderer, String version, NetworkTarget target, String title) {
        this.tty = tty;
        this.renderer = renderer;
        this.version = version;
        this.target = target;
        this.title = title;
    }

    /** Empty when the person went back (Ctrl-C or Esc at the first field). */
    Optional<Result> run(NetworkPlan previous) {
        String error = "";
        NetworkPlan draft = previous;
        while (true) {
            List<NetworkTarget.Interface> nics;
            try {
                nics = target.interfaces();
            } catch (QuantixException e) {
                nics = List.of();
                error = "cannot list the interfaces: " + e.getMessage();
            }
            Frame.Builder b = Views.titled(version, "Network", title);
            b.line("   Interfaces " + (target.applies() ? "(settings are applied to " + target + ")"
                    : "of this machine (settings are recorded only: not Quantix-OS)") + ":");
            for (int i = 0; i < nics.size() && i < 6; i++) {
                NetworkTarget.Interface n = nics.get(i);
                b.line(String.format("   %d  %-15s %-8s %-18s %s", i + 1, n.name(), n.state(), n.mac(),
                        String.join(" ", n.addresses())));
            }
            b.blank();
            int nicRow = b.row();
            String defaultNic = draft != null ? draft.device() : nics.isEmpty() ? "" : nics.get(0).name();
            b.line("   Interface (number or name) [" + defaultNic + "]: ");
            int vlanRow = b.row();
            b.line("   VLAN id (Enter: none): ");
            int modeRow = b.row();
            b.line("   d = DHCP, s = static [" + (draft != null && !draft.dhcp() ? "s" : "d") + "]: ");
            int addrRow = b.row();
            b.line("   Address/prefix: ");
            int gwRow = b.row();
            b.line("   Gateway:        ");
            int dnsRow = b.row();
            b.line("   DNS servers:    ");
            b.footer(error.isEmpty() ? "" : "   " + error, Style.BAD);
            b.footer(" Enter: next    Ctrl-C or Esc: back", Style.KEYS);
            renderer.draw(b.build());
            error = "";
            Optional<String> nic = text(nicRow, 34 + defaultNic.length());
            if (nic.isEmpty()) {
                return Optional.empty();
            }
            String device = nic.get().isEmpty() ? defaultNic : nic.get();
            if (device.matches("[0-9]+")) {
                int index = Integer.parseInt(device) - 1;
                if (index < 0 || index >= nics.size()) {
                    error = "there is no interface number " + device;
                    continue;
                }
                device = nics.get(index).name();
            }
            String chosen = device;
            if (nics.stream().noneMatch(n -> n.name().equals(chosen))) {
                error = "interface " + device + " is not on this machine";
                continue;
            }
            Optional<String> vlanText = text(vlanRow, 27);
            Optional<String> mode = vlanText.isEmpty() ? Optional.empty() : text(modeRow, 30);
            if (mode.isEmpty()) {
                continue;
            }
            try {
                int vlan = vlanText.get().isEmpty() ? 0 : Integer.parseInt(vlanText.get());
                boolean dhcp = mode.get().isEmpty() ? draft == null || draft.dhcp() : mode.get().equalsIgnoreCase("d");
                if (!dhcp && !mode.get().isEmpty() && !mode.get().equalsIgnoreCase("s")) {
                    error = "type d for DHCP or s for static";
                    continue;
                }
                if (dhcp) {
                    draft = NetworkPlan.dhcp(device, vlan);
                } else {
                    Optional<String> cidr = text(addrRow, 21);
                    Optional<String> gw = cidr.isEmpty() ? Optional.empty() : text(gwRow, 21);
                    Optional<String> dns = gw.isEmpty() ? Optional.empty() : text(dnsRow, 21);
                    if (dns.isEmpty()) {
                        continue;
                    }
                    draft = NetworkPlan.fixed(device, cidr.get(), gw.get(), dns.get(), vlan);
                }
            } catch (NumberFormatException e) {
                error = "the VLAN id is a number from 1 to 4094";
                continue;
            } catch (QuantixException e) {
                error = e.getMessage();
                continue;
            }
            Optional<Result> applied = apply(draft);
            if (applied.isPresent()) {
                return applied;
            }
        }
    }

    /** Applies and checks; empty when the person chose to edit the plan again. */
    private Optional<Result> apply(NetworkPlan plan) {
        while (true) {
            renderer.draw(Views.message(version, "Network", List.of("Applying " + plan.describe() + " ...",
                    "", "(then pinging the gateway: up to 3 tries of 2 s)"), Style.NORMAL, "please wait"));
            NetworkTarget.Outcome outcome = target.apply(plan);
            if (outcome.ok()) {
                return Optional.of(new Result(plan, outcome.message()));
            }
            renderer.draw(Views.message(version, "Network", List.of(plan.describe(), "", outcome.message(), "",
                    "r: retry    e: edit the settings    k: keep them anyway (recorded, not applied)"), Style.BAD,
                    "r retry   e edit   k keep"));
            while (true) {
                Press p = tty.read(0);
                if (p.is('r')) {
                    break;
                }
                if (p.is('e') || p.key() == Tty.Key.CTRL_C || p.key() == Tty.Key.ESC) {
                    return Optional.empty();
                }
                if (p.is('k')) {
                    return Optional.of(new Result(plan, "NOT applied (gateway did not answer): recorded only"));
                }
            }
        }
    }

    private Optional<String> text(int row, int col) {
        return tty.line(row, col, false, 200).map(c -> new String(c).strip());
    }
}
