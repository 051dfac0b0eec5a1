package io.quantix.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdentityTest {
    @TempDir
    Path config;

    @Test
    void firstStartMakesAnIdAndTakesTheHostname() throws Exception {
        NodeIdentity identity = NodeIdentity.load(config, "host-a");
        UUID.fromString(identity.id());
        assertEquals("host-a", identity.name());
        assertTrue(Files.readString(config.resolve("node.yaml")).contains(identity.id()));
    }

    @Test
    void theIdSurvivesARestartAndAChangedHostname() {
        String id = NodeIdentity.load(config, "host-a").id();
        NodeIdentity again = NodeIdentity.load(config, "host-b");
        assertEquals(id, again.id());
        assertEquals("host-a", again.name(), "the name stays what the file says, not what the kernel says now");
    }

    @Test
    void keysOfOthersAreKeptAndABrokenIdIsReplaced() throws Exception {
        Files.writeString(config.resolve("node.yaml"), "id: not-a-uuid\nname: rack4-n2\ntimezone: UTC\n");
        NodeIdentity identity = NodeIdentity.load(config, "host-a");
        assertNotEquals("not-a-uuid", identity.id());
        assertEquals("rack4-n2", identity.name());
        String text = Files.readString(config.resolve("node.yaml"));
        assertTrue(text.contains("timezone: \"UTC\"") || text.contains("timezone: UTC"), text);
        assertEquals(identity.id(), NodeIdentity.load(config, "x").id());
    }

    @Test
    void renameKeepsTheIdAndOtherKeysAndSurvivesARestart() throws Exception {
        Files.writeString(config.resolve("node.yaml"), "id: " + UUID.randomUUID() + "\nname: old\ntimezone: UTC\n");
        NodeIdentity identity = NodeIdentity.load(config, "host-a");
        String id = identity.id();
        identity.rename("edge-01.lab");
        NodeIdentity again = NodeIdentity.load(config, "host-b");
        assertEquals("edge-01.lab", again.name());
        assertEquals(id, again.id());
        assertTrue(Files.readString(config.resolve("node.yaml")).contains("timezone"));
    }
}
