package io.quantix.network.ovn.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The OVSDB client against a real OVN Northbound ovsdb-server, over its Unix socket and over TCP. */
@ExtendWith(OvnEnv.Resolver.class)
class OvsdbClientIT {
    private static final String NB = "OVN_Northbound";
    private static OvnEnv ovn;
    private static OvsdbClient unix;
    private static OvsdbClient tcp;

    @BeforeAll
    static void up(OvnEnv env) {
        ovn = env;
        unix = new OvsdbClient(OvsdbEndpoint.parse(env.nbUnix()), Duration.ofSeconds(20));
        tcp = new OvsdbClient(OvsdbEndpoint.parse(env.nbTcp()), Duration.ofSeconds(20));
    }

    @AfterAll
    static void down() {
        unix.close();
        tcp.close();
    }

    @Test
    void listsTheNorthboundDatabaseOverBothTransports() {
        assertTrue(unix.call("list_dbs", OvsdbClient.JSON.createArrayNode()).toString().contains(NB));
        assertTrue(tcp.call("list_dbs", OvsdbClient.JSON.createArrayNode()).toString().contains(NB));
    }

    @Test
    void valuesAreDataNeverCommandText() {
        // quotes, braces, a semicolon and "--" would break any command line or hand-made JSON
        String hostile = "x\"}; --if-exists destroy Logical_Switch ' \\ ünï";
        ObjectNode row = OvsdbClient.JSON.createObjectNode().put("name", "qx-test-hostile");
        row.set("external_ids", Ovsdb.map(Map.of("note", hostile)));
        unix.transact(NB, List.of(Ovsdb.insert("Logical_Switch", row, "ls")));
        try {
            ArrayNode r = tcp.transact(NB, List.of(Ovsdb.select("Logical_Switch", Ovsdb.byName("qx-test-hostile"), "external_ids")));
            assertEquals(hostile, Ovsdb.stringMap(r.get(0).get("rows").get(0).get("external_ids")).get("note"));
            assertTrue(ovn.nbctl("--bare", "--columns=name", "list", "Logical_Switch").contains("qx-test-hostile"),
                    "ovn-nbctl sees the switch");
        } finally {
            unix.transact(NB, List.of(Ovsdb.delete("Logical_Switch", Ovsdb.byName("qx-test-hostile"))));
        }
        assertTrue(!ovn.nbctl("--bare", "--columns=name", "list", "Logical_Switch").contains("qx-test-hostile"));
    }

    @Test
    void aFailedOperationAbortsTheWholeTransaction() {
        ObjectNode good = OvsdbClient.JSON.createObjectNode().put("name", "qx-test-atomic");
        ObjectNode bad = OvsdbClient.JSON.createObjectNode().put("no_such_column", 1);
        QuantixException e = assertThrows(QuantixException.class, () -> unix.transact(NB, List.of(
                Ovsdb.insert("Logical_Switch", good, "a"), Ovsdb.insert("Logical_Switch", bad, "b"))));
        assertEquals(ErrorCode.BACKEND_ERROR, e.code());
        assertTrue(!ovn.nbctl("--bare", "--columns=name", "list", "Logical_Switch").contains("qx-test-atomic"),
                "nothing of the transaction was committed");
    }

    @Test
    void monitorsSeeChangesAndSurviveAServerSideDisconnect() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        ObjectNode req = OvsdbClient.JSON.createObjectNode();
        req.putObject("Logical_Switch").putArray("columns").add("name");
        String id = unix.monitor(NB, req, (initial, updates) -> updates.path("Logical_Switch").forEach(change -> {
            JsonNode name = change.path("new").path("name");
            if (name.isTextual() && name.asText().startsWith("qx-test-mon")) {
                seen.add((initial ? "initial:" : "update:") + name.asText());
            }
        }));
        try {
            ObjectNode row = OvsdbClient.JSON.createObjectNode().put("name", "qx-test-mon1");
            tcp.transact(NB, List.of(Ovsdb.insert("Logical_Switch", row, "ls")));
            assertEquals("update:qx-test-mon1", seen.poll(20, TimeUnit.SECONDS));

            ovn.dropNbConnections();
            assertEquals("initial:qx-test-mon1", seen.poll(30, TimeUnit.SECONDS),
                    "after the reconnect the monitor delivers the full state again");
            ObjectNode row2 = OvsdbClient.JSON.createObjectNode().put("name", "qx-test-mon2");
            unix.transact(NB, List.of(Ovsdb.insert("Logical_Switch", row2, "ls")));
            assertEquals("update:qx-test-mon2", seen.poll(20, TimeUnit.SECONDS));
        } finally {
            unix.cancel(id);
            unix.transact(NB, List.of(Ovsdb.delete("Logical_Switch", Ovsdb.byName("qx-test-mon1")),
                    Ovsdb.delete("Logical_Switch", Ovsdb.byName("qx-test-mon2"))));
        }
    }

    @Test
    void refusesMalformedEndpoints() {
        for (String bad : List.of("unix:relative.sock", "tcp:127.0.0.1", "tcp:127.0.0.1:99999", "ssl:1.2.3.4:6641", "tcp:a b:1")) {
            assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(QuantixException.class, () -> OvsdbEndpoint.parse(bad)).code(), bad);
        }
    }
}
