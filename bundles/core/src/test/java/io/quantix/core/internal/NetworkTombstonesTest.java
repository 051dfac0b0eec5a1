package io.quantix.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantix.core.internal.NetworkTombstones.Kind;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkTombstonesTest {
    @TempDir
    Path work;

    @Test
    void aDeletionWaitsForEachKnownDriverThatWasAwayAndOnlyForIt() {
        NetworkTombstones t = new NetworkTombstones(work.resolve("t.properties"));
        t.removed("ovn", Map.of());
        t.removed("bridge", Map.of());

        t.deleted(Kind.SECURITY_GROUP, "old", List.of("bridge"));

        assertEquals(Set.of("old"), t.pending(Kind.SECURITY_GROUP, "ovn"));
        assertEquals(Set.of(), t.pending(Kind.SECURITY_GROUP, "bridge"));
        assertEquals(Set.of(), t.pending(Kind.NETWORK, "ovn"));
        t.removed("ovn", Map.of(Kind.SECURITY_GROUP, Set.of("old")));
        assertEquals(Set.of(), new NetworkTombstones(work.resolve("t.properties")).pending(Kind.SECURITY_GROUP, "ovn"),
                "removed by every driver: gone from the file");
    }

    @Test
    void aDeletionEveryDriverMadeAtOnceLeavesNothingAndANewDefinitionCancelsAnOldDeletion() {
        NetworkTombstones t = new NetworkTombstones(work.resolve("t.properties"));
        t.removed("ovn", Map.of());
        t.deleted(Kind.NETWORK, "n1", List.of("ovn"));
        assertEquals(Set.of(), t.pending(Kind.NETWORK, "ovn"));

        t.deleted(Kind.ROUTER, "r1", List.of());
        t.defined(Kind.ROUTER, "r1");
        assertEquals(Set.of(), t.pending(Kind.ROUTER, "ovn"), "the new r1 must not be removed");
    }

    @Test
    void aNodeWithoutTheFileHasNothingToRemove() {
        assertEquals(Set.of(), new NetworkTombstones(work.resolve("none.properties")).pending(Kind.NETWORK, "ovn"));
    }
}
