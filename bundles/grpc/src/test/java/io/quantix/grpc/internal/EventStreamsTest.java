package io.quantix.grpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quantix.api.QuantixEvent;
import io.quantix.proto.node.v1.Event;
import io.quantix.proto.node.v1.NodeDaemonServiceGrpc;
import io.quantix.proto.node.v1.StreamEventsRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * StreamEvents filters over a real gRPC server and channel on loopback (plaintext: TLS and the token check are the
 * interceptor's business, tested in GrpcIT; the stream holds a real session's token, as a revoked one would end it);
 * the events are published as EventAdmin delivers them.
 */
class EventStreamsTest {
    @TempDir
    Path dir;
    private TestAdmin admin;
    private EventStreams events;
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws IOException {
        admin = new TestAdmin(dir);
        events = new EventStreams(new OpenStreams(admin.security, 4));
        String token = admin.login();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new NodeDaemonServiceGrpc.NodeDaemonServiceImplBase() {
                    @Override
                    public void streamEvents(StreamEventsRequest request, StreamObserver<Event> out) {
                        try {
                            events.open(request, token, (ServerCallStreamObserver<Event>) out);
                        } catch (RuntimeException e) {
                            out.onError(ErrorMapping.toStatus(e, "StreamEvents"));
                        }
                    }
                }).build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        admin.close();
    }

    private Iterator<Event> stream(StreamEventsRequest request) {
        return NodeDaemonServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .streamEvents(request);
    }

    private void publish(QuantixEvent.Kind kind, String type, String subject) {
        QuantixEvent e = QuantixEvent.of(kind, type, subject, "test event");
        events.handleEvent(new org.osgi.service.event.Event(e.topic(), e.properties()));
    }

    @Test
    void aVolumeOrIsoSubjectFiltersTheStreamToThatVolume() {
        Iterator<Event> stream = stream(StreamEventsRequest.newBuilder().setSubject("fast/db1-disk0").build());
        assertEquals(EventStreams.SUBSCRIBED, stream.next().getType());

        publish(QuantixEvent.Kind.VOLUME, "CREATED", "fast/web1-disk0");
        publish(QuantixEvent.Kind.POOL, "CREATED", "fast");
        publish(QuantixEvent.Kind.VOLUME, "RESIZED", "fast/db1-disk0");

        Event next = stream.next();
        assertEquals("fast/db1-disk0", next.getSubject());
        assertEquals("RESIZED", next.getType());
        assertEquals("VOLUME", next.getKind());
    }

    @Test
    void aSubjectNoEventCanCarryIsRefused() {
        for (String subject : new String[] {"../etc", "a/b/c", "/vm1", "pool/", "vm 1"}) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> stream(StreamEventsRequest.newBuilder().setSubject(subject).build()).next(), subject);
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), subject);
        }
    }
}
