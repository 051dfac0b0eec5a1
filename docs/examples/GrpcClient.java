import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.quantix.proto.node.v1.CreateVMRequest;
import io.quantix.proto.node.v1.Credentials;
import io.quantix.proto.node.v1.DeleteVMRequest;
import io.quantix.proto.node.v1.DiskSpec;
import io.quantix.proto.node.v1.ListVMsRequest;
import io.quantix.proto.node.v1.NodeDaemonServiceGrpc;
import io.quantix.proto.node.v1.NodeDaemonServiceGrpc.NodeDaemonServiceBlockingStub;
import io.quantix.proto.node.v1.StreamEventsRequest;
import io.quantix.proto.node.v1.VM;
import io.quantix.proto.node.v1.VMRequest;
import io.quantix.proto.node.v1.VMSpec;
import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * A small command-line client of a node's gRPC API (NodeDaemonService over TLS), run as a single-file source
 * program with the node's own gRPC jars on the class path (see the README):
 *
 *   java -cp "$CP" docs/examples/GrpcClient.java HOST:PORT CERT.pem COMMAND [ARGS]
 *
 * CERT.pem is the node's certificate, which the client trusts (exported from node.p12 with keytool).
 * Commands: health | setup USER | login USER | list | create NAME | start NAME | stop NAME | delete NAME | events
 * setup and login read the password from $QUANTIX_PASSWORD (never from the command line, where ps shows it);
 * setup from another machine also needs the node's qx:setup-code in $QUANTIX_SETUP_CODE;
 * login prints a token, which the other commands read from $QUANTIX_TOKEN.
 */
public class GrpcClient {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: GrpcClient HOST:PORT CERT.pem health|setup USER|login USER|list|create NAME|"
                    + "start NAME|stop NAME|delete NAME|events");
            System.exit(2);
        }
        ManagedChannel channel = Grpc.newChannelBuilder(args[0],
                TlsChannelCredentials.newBuilder().trustManager(new File(args[1])).build()).build();
        try {
            run(channel, args);
        } catch (StatusRuntimeException e) {
            // the description is "CODE: message" with the node's stable error code
            System.err.println(e.getStatus().getCode() + " " + e.getStatus().getDescription());
            System.exit(1);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void run(ManagedChannel channel, String[] args) {
        NodeDaemonServiceBlockingStub node = NodeDaemonServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS);
        String command = args[2];
        switch (command) {
            case "health" -> System.out.println(HealthGrpc.newBlockingStub(channel)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus());
            case "setup" -> {
                node.setup(credentials(args).toBuilder()
                        .setSetupCode(System.getenv().getOrDefault("QUANTIX_SETUP_CODE", "")).build());
                System.out.println("admin " + args[3] + " created");
            }
            case "login" -> System.out.println(node.login(credentials(args)).getToken());
            case "events" -> authenticated(NodeDaemonServiceGrpc.newBlockingStub(channel))
                    .streamEvents(StreamEventsRequest.getDefaultInstance())
                    .forEachRemaining(e -> System.out.println(e.getKind() + " " + e.getType() + " " + e.getSubject()
                            + ": " + e.getMessage()));
            default -> vmCommand(authenticated(node), command, args);
        }
    }

    private static void vmCommand(NodeDaemonServiceBlockingStub node, String command, String[] args) {
        switch (command) {
            case "list" -> node.listVMs(ListVMsRequest.getDefaultInstance()).getVmsList()
                    .forEach(vm -> System.out.println(vm.getSpec().getName() + " " + vm.getState()));
            case "create" -> print(node.createVM(CreateVMRequest.newBuilder().setSpec(VMSpec.newBuilder()
                    .setName(args[3]).setVcpus(1).setMemoryMib(512)
                    .addDisks(DiskSpec.newBuilder().setPool("default").setSizeBytes(1L << 30))).build()));
            case "start" -> print(node.startVM(VMRequest.newBuilder().setName(args[3]).build()));
            case "stop" -> print(node.forceStopVM(VMRequest.newBuilder().setName(args[3]).build()));
            case "delete" -> {
                node.deleteVM(DeleteVMRequest.newBuilder().setName(args[3]).setDeleteVolumes(true).build());
                System.out.println(args[3] + " deleted");
            }
            default -> throw new IllegalArgumentException("unknown command " + command);
        }
    }

    private static Credentials credentials(String[] args) {
        String password = System.getenv("QUANTIX_PASSWORD");
        if (args.length < 4 || password == null) {
            throw new IllegalArgumentException("give the user name, and the password in $QUANTIX_PASSWORD");
        }
        return Credentials.newBuilder().setUsername(args[3]).setPassword(password).build();
    }

    private static NodeDaemonServiceBlockingStub authenticated(NodeDaemonServiceBlockingStub stub) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + System.getenv().getOrDefault("QUANTIX_TOKEN", ""));
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static void print(VM vm) {
        System.out.println(vm.getSpec().getName() + " " + vm.getState() + " (" + vm.getId() + ")");
    }
}
