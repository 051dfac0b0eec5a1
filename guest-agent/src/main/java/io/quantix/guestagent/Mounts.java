package io.quantix.guestagent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The guest's disk filesystems from its mount table (fstab format: device, mountpoint, type, ...). */
final class Mounts {
    /** Filesystems that hold a guest's data on its disks; the rest (proc, tmpfs, overlay...) are not reported or frozen. */
    private static final Set<String> DISK_TYPES = Set.of("ext2", "ext3", "ext4", "xfs", "btrfs", "vfat", "f2fs", "jfs",
            "reiserfs", "nilfs2", "ocfs2", "exfat");

    record Mount(String device, String mountpoint, String type) {}

    private Mounts() {}

    /**
     * In mount order, each filesystem once: a bind mount shows a device again elsewhere, and freezing a filesystem
     * twice fails (qemu-ga counts devices the same way).
     */
    static List<Mount> disks(Path table) {
        List<String> lines;
        try {
            lines = Files.readAllLines(table, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AgentError(AgentError.BACKEND, "cannot read the mount table " + table + ": " + e.getMessage());
        }
        List<Mount> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && DISK_TYPES.contains(f[2])) {
                String device = unescape(f[0]);
                if (seen.add(device)) {
                    out.add(new Mount(device, unescape(f[1]), f[2]));
                }
            }
        }
        return out;
    }

    /** The kernel writes space, tab, newline and backslash in octal (\040). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int at) {
        if (at + 3 > s.length()) {
            return false;
        }
        for (int i = at; i < at + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
