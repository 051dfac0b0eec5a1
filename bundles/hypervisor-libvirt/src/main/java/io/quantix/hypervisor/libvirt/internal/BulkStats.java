package io.quantix.hypervisor.libvirt.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;
import org.libvirt.Connect;
import org.libvirt.jna.ConnectionPointer;

/**
 * {@code virConnectGetAllDomainStats} through JNA: libvirt-java 0.5.4 has no binding for it. One call returns the
 * state, CPU, balloon, vCPU, interface and block counters of every domain, where the per-domain API needs
 * 2 + vCPUs + disks + NICs calls for each. The records are copied into Java maps and freed at once
 * ({@code virDomainStatsRecordListFree}, which also frees the domain references they hold).
 *
 * <p>Callers hold the backend's lock, as for every other use of the connection.
 */
final class BulkStats {
    /** {@code VIR_DOMAIN_STATS_*}: STATE | CPU_TOTAL | BALLOON | VCPU | INTERFACE | BLOCK. */
    static final int GROUPS = 1 | 2 | 4 | 8 | 16 | 32;
    /** {@code VIR_TYPED_PARAM_FIELD_LENGTH}. */
    private static final int FIELD_LENGTH = 80;
    /** {@code virTypedParameter}: char field[80]; int type; then an 8-byte union aligned to 8. */
    private static final int PARAM_SIZE = FIELD_LENGTH + 8 + 8;
    private static final int VALUE_OFFSET = FIELD_LENGTH + 8;

    /** The libvirt C functions used here; the same libvirt.so libvirt-java has loaded. */
    interface Virt extends Library {
        int virConnectGetAllDomainStats(Pointer conn, int stats, PointerByReference retStats, int flags);

        void virDomainStatsRecordListFree(Pointer stats);

        String virDomainGetName(Pointer domain);

        /** The calling thread's last libvirt error, or "no error". */
        String virGetLastErrorMessage();
    }

    private static volatile Virt virt;
    private static volatile Field connectionField;

    private BulkStats() {
    }

    /**
     * The typed parameters of every domain on the connection, by domain name: {@code cpu.time},
     * {@code vcpu.0.time}, {@code block.1.name} ... as libvirt documents them for virConnectGetAllDomainStats.
     * Numbers are Longs (unsigned 64-bit counters beyond Long.MAX_VALUE do not occur in practice), strings Strings.
     */
    static Map<String, Map<String, Object>> all(Connect connect) {
        Virt lib = library();
        PointerByReference records = new PointerByReference();
        int count = lib.virConnectGetAllDomainStats(pointer(connect), GROUPS, records, 0);
        if (count < 0) {
            throw new QuantixException(ErrorCode.BACKEND_ERROR, "virConnectGetAllDomainStats failed: "
                    + lib.virGetLastErrorMessage());
        }
        Pointer list = records.getValue();
        Map<String, Map<String, Object>> byName = new HashMap<>(count * 2);
        try {
            for (int i = 0; i < count; i++) {
                Pointer record = list.getPointer((long) i * Native.POINTER_SIZE);
                String name = lib.virDomainGetName(record.getPointer(0));
                byName.put(name, params(record.getPointer(Native.POINTER_SIZE),
                        record.getInt(2L * Native.POINTER_SIZE)));
            }
        } finally {
            if (list != null) {
                lib.virDomainStatsRecordListFree(list);
            }
        }
        return byName;
    }

    private static Map<String, Object> params(Pointer params, int count) {
        Map<String, Object> values = new HashMap<>(count * 2);
        for (int i = 0; i < count; i++) {
            Pointer param = params.share((long) i * PARAM_SIZE);
            String field = param.getString(0);
            Object value = switch (param.getInt(FIELD_LENGTH)) {
                case 1 -> (long) param.getInt(VALUE_OFFSET); // INT
                case 2 -> param.getInt(VALUE_OFFSET) & 0xFFFF_FFFFL; // UINT
                case 3, 4 -> param.getLong(VALUE_OFFSET); // LLONG, ULLONG
                case 5 -> param.getDouble(VALUE_OFFSET);
                case 6 -> (long) param.getByte(VALUE_OFFSET); // BOOLEAN
                case 7 -> {
                    Pointer s = param.getPointer(VALUE_OFFSET);
                    yield s == null ? "" : s.getString(0);
                }
                default -> null; // a type newer than this code: skipped
            };
            if (value != null) {
                values.put(field, value);
            }
        }
        return values;
    }

    private static Virt library() {
        if (virt == null) {
            virt = Native.load("virt", Virt.class);
        }
        return virt;
    }

    /**
     * The native {@code virConnectPtr} of libvirt-java's connection: a protected field with no accessor, read by
     * reflection (libvirt-java is embedded privately in this bundle, so its version is fixed by this build).
     */
    private static Pointer pointer(Connect connect) {
        try {
            if (connectionField == null) {
                Field field = Connect.class.getDeclaredField("vcp");
                field.setAccessible(true);
                connectionField = field;
            }
            return ((ConnectionPointer) connectionField.get(connect)).getPointer();
        } catch (ReflectiveOperationException e) {
            throw new QuantixException(ErrorCode.INTERNAL, "libvirt-java's connection pointer is not reachable: " + e, e);
        }
    }
}
