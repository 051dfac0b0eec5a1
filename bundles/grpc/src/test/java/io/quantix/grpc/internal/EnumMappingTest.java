package io.quantix.grpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantix.api.Availability;
import io.quantix.api.BootDevice;
import io.quantix.api.ConsoleType;
import io.quantix.api.DiskBus;
import io.quantix.api.Firmware;
import io.quantix.api.MigrationProgress;
import io.quantix.api.NetworkType;
import io.quantix.api.NicModel;
import io.quantix.api.PowerState;
import io.quantix.api.VolumeFormat;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every value of every enum the adapter maps, both ways: a constant added to an API enum or to node.proto
 * fails here (or does not compile in {@link Protos}) instead of answering INTERNAL to the first client that meets it.
 * UNSPECIFIED (proto3's "not set") and UNRECOGNIZED (a number this build does not know) are not values of
 * the API, by design.
 */
class EnumMappingTest {

    /** api -> proto -> api gives the value back, and proto -> api -> proto does for every proto value. */
    private static <A extends Enum<A>, P extends Enum<P>> void roundTrip(Class<A> api, Class<P> proto,
            Function<A, P> out, Function<P, A> in) {
        for (A value : api.getEnumConstants()) {
            assertEquals(value, in.apply(out.apply(value)), api.getSimpleName() + "." + value);
        }
        for (P value : values(proto)) {
            assertEquals(value, out.apply(in.apply(value)), proto.getName() + "." + value);
        }
    }

    /** For enums that only leave the node: each API value has its own proto value, and every proto value is used. */
    private static <A extends Enum<A>, P extends Enum<P>> void onto(Class<A> api, Class<P> proto, Function<A, P> out) {
        Set<P> used = Arrays.stream(api.getEnumConstants()).map(out).collect(Collectors.toSet());
        assertEquals(api.getEnumConstants().length, used.size(), api.getSimpleName() + ": two values share a proto value");
        assertEquals(values(proto), used, proto.getName());
    }

    private static <P extends Enum<P>> Set<P> values(Class<P> proto) {
        Set<P> values = EnumSet.allOf(proto);
        values.removeIf(p -> p.name().equals("UNRECOGNIZED") || p.name().endsWith("_UNSPECIFIED"));
        return values;
    }

    @Test
    void everyFirmware() {
        roundTrip(Firmware.class, io.quantix.proto.node.v1.Firmware.class, Protos::firmware,
                p -> Protos.firmware(p, p.getNumber()).orElseThrow());
    }

    @Test
    void everyBootDevice() {
        roundTrip(BootDevice.class, io.quantix.proto.node.v1.BootDevice.class, Protos::bootDevice,
                p -> Protos.bootDevice(p, p.getNumber()));
    }

    @Test
    void everyDiskBus() {
        roundTrip(DiskBus.class, io.quantix.proto.node.v1.DiskBus.class, Protos::bus, p -> Protos.bus(p, p.getNumber()));
    }

    @Test
    void everyNicModel() {
        roundTrip(NicModel.class, io.quantix.proto.node.v1.NicModel.class, Protos::model,
                p -> Protos.model(p, p.getNumber()));
    }

    @Test
    void everyVolumeFormat() {
        roundTrip(VolumeFormat.class, io.quantix.proto.node.v1.VolumeFormat.class, Protos::format,
                p -> Protos.format(p, p.getNumber()));
    }

    @Test
    void everyConsoleType() {
        roundTrip(ConsoleType.class, io.quantix.proto.node.v1.ConsoleType.class, Protos::consoleType,
                p -> Protos.consoleType(p, p.getNumber()));
    }

    @Test
    void everyPowerState() {
        roundTrip(PowerState.class, io.quantix.proto.node.v1.PowerState.class, Protos::state,
                p -> Protos.stateFilter(p, p.getNumber()).orElseThrow());
    }

    @Test
    void everyNetworkType() {
        roundTrip(NetworkType.class, io.quantix.proto.node.v1.NetworkType.class, Protos::networkType,
                p -> Protos.networkType(p, p.getNumber()));
    }

    @Test
    void everyAvailability() {
        onto(Availability.class, io.quantix.proto.node.v1.Availability.class, Protos::availability);
    }

    @Test
    void everyMigrationPhase() {
        onto(MigrationProgress.Phase.class, io.quantix.proto.node.v1.MigrationProgress.Phase.class, Protos::phase);
    }

    @Test
    void everyNodeState() {
        onto(io.quantix.api.cluster.NodeState.class, io.quantix.proto.node.v1.NodeState.class, Protos::nodeState);
    }

    @Test
    void everyQuiesceModeCanBeAskedFor() {
        Set<io.quantix.api.SnapshotSpec.Quiesce> asked = values(io.quantix.proto.node.v1.Quiesce.class).stream()
                .map(q -> Protos.quiesce(q, q.getNumber())).collect(Collectors.toSet());
        assertEquals(EnumSet.allOf(io.quantix.api.SnapshotSpec.Quiesce.class), asked);
    }
}
