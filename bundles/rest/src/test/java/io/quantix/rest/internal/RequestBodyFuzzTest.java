package io.quantix.rest.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import io.quantix.api.NetworkSpec;
import io.quantix.api.QuantixException;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.VolumeSpec;
import io.quantix.fuzz.ByteFuzz;
import io.quantix.fuzz.JsonFuzz;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Fuzzes every REST request body the way an endpoint reads it: {@link Json#read} into the body's record, then the
 * record's own conversion to the API value the service gets. Whatever the bytes, the outcome is a value or a
 * failure the client is told about with a 4xx status; never an unchecked exception (the 500 "internal error").
 * Three generators: random bytes, random JSON, and near-valid bodies (a valid one with a field replaced by a wrong
 * type, a huge number, deep nesting, a long or odd unicode string, a field removed or added, then perhaps cut short
 * or with a byte flipped). Tries: {@code jqwik.tries.default} (src/test/resources/junit-platform.properties).
 */
class RequestBodyFuzzTest {
    /** A body type as its endpoint reads it, with a valid body to mutate. */
    private record Endpoint(String name, Class<?> type, Function<Object, Object> convert, String valid) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Endpoint> ENDPOINTS = List.of(
            endpoint("POST /vms", VmCreateRequest.class, VmCreateRequest::toSpec, """
                    {"name":"web1","hypervisor":"libvirt","vcpus":2,"memoryMiB":1024,"firmware":"UEFI",
                     "disks":[{"pool":"default","sizeBytes":1073741824,"format":"QCOW2","bus":"VIRTIO"}],
                     "nics":[{"network":"lan","mac":"52:54:00:12:34:56","model":"VIRTIO"}],"bootOrder":["DISK","CDROM"],
                     "tags":["web","role=db"],"ha":{"enabled":true,"restartPriority":3},
                     "directBoot":{"kernel":"/boot/vmlinuz","initrd":"/boot/initrd.img","cmdline":"console=ttyS0"}}"""),
            endpoint("POST /vms/{name}/disks", VmCreateRequest.DiskRequest.class, VmCreateRequest.DiskRequest::toSpec,
                    "{\"pool\":\"default\",\"sizeBytes\":1048576,\"format\":\"RAW\",\"bus\":\"SCSI\"}"),
            endpoint("POST /vms/{name}/nics", VmCreateRequest.NicRequest.class, VmCreateRequest.NicRequest::toSpec,
                    "{\"network\":\"lan\",\"mac\":\"52:54:00:ab:cd:ef\",\"model\":\"E1000\"}"),
            endpoint("POST /vms/{name}/power", VmResource.PowerRequest.class, VmResource.PowerRequest::action,
                    "{\"action\":\"START\"}"),
            endpoint("POST /vms/{name}/console", VmChangeRequests.ConsoleRequest.class,
                    VmChangeRequests.ConsoleRequest::type, "{\"type\":\"VNC\"}"),
            endpoint("POST /vms/{name}/snapshots", VmChangeRequests.SnapshotRequest.class,
                    VmChangeRequests.SnapshotRequest::toSpec,
                    "{\"name\":\"before\",\"includeMemory\":true,\"diskOnly\":false,\"description\":\"é\"}"),
            endpoint("PUT /vms/{name}/media", VmChangeRequests.MediaRequest.class, VmChangeRequests.MediaRequest::iso,
                    "{\"iso\":\"debian.iso\"}"),
            endpoint("PUT /vms/{name}/tags", VmChangeRequests.TagsRequest.class, VmChangeRequests.TagsRequest::tags,
                    "{\"tags\":[\"role=web\",\"prod\"]}"),
            endpoint("POST /vms/{name}/migration", VmChangeRequests.MigrationRequest.class,
                    VmChangeRequests.MigrationRequest::toSpec, """
                    {"targetUri":"qemu+tls://node2/system","live":true,"migrateUri":"tcp://10.0.0.2:49152",
                     "maxDowntimeMillis":300}"""),
            endpoint("POST /setup", AuthResource.Credentials.class, c -> {
                c.clear();
                return c;
            }, "{\"username\":\"admin\",\"password\":\"correct horse battery\"}"),
            endpoint("POST /networks", NetworkSpec.class, n -> n, """
                    {"name":"lan","driver":"bridge","type":"VLAN","cidr":"10.0.0.0/24","gateway":"10.0.0.1",
                     "dhcp":true,"vlanId":12,"bridge":"br0"}"""),
            endpoint("POST /security-groups", NetworkResource.SecurityGroupBody.class,
                    NetworkResource.SecurityGroupBody::toGroup, """
                    {"name":"db","appliesTo":"role=db","rules":["tcp:5432 from tag:role=web","udp:53 from 10.0.0.0/8"]}"""),
            endpoint("POST /routers", NetworkResource.RouterRequest.class, NetworkResource.RouterRequest::toRouter, """
                    {"name":"edge","networks":["lan"],"uplink":{"network":"wan","address":"192.0.2.10","snat":true},
                     "floatingIps":[{"address":"192.0.2.11","vm":"web1"}],
                     "loadBalancers":[{"name":"www","protocol":"TCP","vip":"192.0.2.12","port":80,
                                       "members":[{"address":"10.0.0.5","port":8080}]}]}"""),
            endpoint("POST /pools", StoragePoolSpec.class, p -> p,
                    "{\"name\":\"fast\",\"backend\":\"dir\",\"options\":{\"path\":\"/data/fast\",\"capacity\":\"20G\"}}"),
            endpoint("POST /pools/{name}/volumes", VolumeSpec.class, v -> v,
                    "{\"name\":\"data1\",\"sizeBytes\":10737418240,\"format\":\"QCOW2\"}"),
            endpoint("POST /pools/{name}/volumes/{volume}/resize", StorageResource.ResizeRequest.class,
                    StorageResource.ResizeRequest::sizeBytes, "{\"sizeBytes\":21474836480}"),
            endpoint("POST /pools/{name}/volumes/{volume}/clone", StorageResource.NameRequest.class,
                    StorageResource.NameRequest::name, "{\"name\":\"web2-root\"}"));

    @SuppressWarnings("unchecked")
    private static <T> Endpoint endpoint(String name, Class<T> type, Function<T, ?> convert, String valid) {
        return new Endpoint(name, type, o -> convert.apply((T) o), valid);
    }

    /** The property itself: a value, or a QuantixException/HttpError that maps to a 4xx. */
    private static void readsOrRefusesCleanly(Endpoint endpoint, byte[] body) {
        try {
            endpoint.convert().apply(Json.read(body, endpoint.type()));
        } catch (QuantixException e) {
            int status = ErrorMapping.status(e.code());
            if (status / 100 != 4) {
                throw new AssertionError(endpoint + " answered " + status + " " + e.code() + ": " + e.getMessage(), e);
            }
        } catch (HttpError e) {
            if (e.status() / 100 != 4) {
                throw new AssertionError(endpoint + " answered " + e.status() + ": " + e.getMessage(), e);
            }
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError(endpoint + " failed with " + e + " (a 500 for the client)", e);
        }
    }

    @Example
    void everyValidSampleIsAccepted() {
        // the near-valid generator mutates these, so each must be valid to begin with
        for (Endpoint endpoint : ENDPOINTS) {
            assertDoesNotThrow(() -> endpoint.convert().apply(Json.read(utf8(endpoint.valid()), endpoint.type())),
                    endpoint.name());
        }
    }

    @Property
    void randomBytes(@ForAll("endpoints") Endpoint endpoint, @ForAll("bytes") byte[] body) {
        readsOrRefusesCleanly(endpoint, body);
    }

    @Property
    void randomJson(@ForAll("endpoints") Endpoint endpoint, @ForAll("json") String body) {
        readsOrRefusesCleanly(endpoint, utf8(body));
    }

    @Property
    void nearValidBodies(@ForAll("endpoints") Endpoint endpoint, @ForAll("mutations") List<JsonFuzz.Mutation> mutations,
            @ForAll("damage") List<ByteFuzz.Edit> damage) {
        readsOrRefusesCleanly(endpoint, ByteFuzz.apply(utf8(JsonFuzz.mutate(endpoint.valid(), mutations)), damage, List.of()));
    }

    @Provide
    Arbitrary<Endpoint> endpoints() {
        return Arbitraries.of(ENDPOINTS);
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
    }

    @Provide
    Arbitrary<String> json() {
        return JsonFuzz.values(4);
    }

    @Provide
    Arbitrary<List<JsonFuzz.Mutation>> mutations() {
        return JsonFuzz.mutations(3, JsonFuzz.keys(ENDPOINTS.stream().map(Endpoint::type).toList()));
    }

    @Provide
    Arbitrary<List<ByteFuzz.Edit>> damage() {
        // most bodies stay whole: the JSON-level change is the interesting part; some are also cut or flipped
        return Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(List.<ByteFuzz.Edit>of())), Tuple.of(2, ByteFuzz.edits(2)));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
