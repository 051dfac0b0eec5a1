package io.quantix.grpc.internal;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.proto.node.v1.NodeDaemonServiceGrpc;
import io.quantix.security.AdminAccount;
import io.quantix.security.Authenticator;
import io.quantix.security.Session;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Set;

/**
 * Checks the {@code authorization: Bearer <token>} header of every call, the same rules as the REST API: until the
 * admin exists nothing but health answers; after that every method needs a valid token except health, reflection
 * (the schema, like REST's openapi.json), Setup and Login. The session and token travel to the service in the
 * call's {@link Context}.
 */
final class AuthInterceptor implements ServerInterceptor {
    static final Context.Key<Session> SESSION = Context.key("quantix-session");
    static final Context.Key<String> TOKEN = Context.key("quantix-token");
    /** Who is calling, for the audit log: the client's IP address. */
    static final Context.Key<String> CLIENT = Context.key("quantix-client");
    /** The client's address as the transport saw it, for first-boot setup (which trusts loopback); null if not IP. */
    static final Context.Key<InetAddress> CLIENT_ADDRESS = Context.key("quantix-client-address");
    /** The full method name, for the log line of a failure. */
    static final Context.Key<String> METHOD = Context.key("quantix-method");

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "Bearer ";
    private static final String HEALTH = "grpc.health.v1.Health";
    private static final Set<String> OPEN_SERVICES = Set.of(HEALTH, "grpc.reflection.v1.ServerReflection");
    private static final Set<String> OPEN_METHODS = Set.of(
            NodeDaemonServiceGrpc.getSetupMethod().getFullMethodName(),
            NodeDaemonServiceGrpc.getLoginMethod().getFullMethodName());

    private final AdminAccount admin;
    private final Authenticator authenticator;

    AuthInterceptor(AdminAccount admin, Authenticator authenticator) {
        this.admin = admin;
        this.authenticator = authenticator;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String service = call.getMethodDescriptor().getServiceName();
        String method = call.getMethodDescriptor().getFullMethodName();
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        Context context = Context.current().withValue(METHOD, method).withValue(CLIENT, client(remote))
                .withValue(CLIENT_ADDRESS, remote instanceof InetSocketAddress inet ? inet.getAddress() : null);
        try {
            if (!HEALTH.equals(service) && !admin.setupComplete() && !OPEN_METHODS.contains(method)) {
                throw new QuantixException(ErrorCode.UNAUTHENTICATED,
                        "this node has no admin account yet: create it with the Setup method first");
            }
            if (!OPEN_SERVICES.contains(service) && !OPEN_METHODS.contains(method)) {
                String token = bearerToken(headers);
                Session session = authenticator.verify(token).orElseThrow(() -> new QuantixException(
                        ErrorCode.UNAUTHENTICATED, "the token is unknown, expired or revoked: log in again"));
                context = context.withValue(SESSION, session).withValue(TOKEN, token);
            }
        } catch (QuantixException e) {
            var status = ErrorMapping.status(e);
            call.close(status.getStatus(), status.getTrailers());
            return new ServerCall.Listener<>() {
            };
        }
        return Contexts.interceptCall(context, call, headers, next);
    }

    private static String bearerToken(Metadata headers) {
        String header = headers.get(AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                || header.strip().length() <= BEARER.strip().length()) {
            throw new QuantixException(ErrorCode.UNAUTHENTICATED,
                    "an 'authorization: Bearer <token>' header is required; get a token with the Login method");
        }
        return header.substring(BEARER.length()).strip();
    }

    private static String client(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }
}
