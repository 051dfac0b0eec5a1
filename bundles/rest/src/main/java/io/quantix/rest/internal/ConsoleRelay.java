package io.quantix.rest.internal;

import io.quantix.api.ConsoleEndpoint;
import io.quantix.api.ErrorCode;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.security.Authenticator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.server.WebSocketMappings;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VM console in the web page: a WebSocket on the API's own port, relayed byte for byte to the VM's VNC server,
 * which listens on the node's loopback only. The flow (Proxmox's vncproxy + vncwebsocket is the model):
 * <ol>
 * <li>the page, logged in, asks {@code POST /vms/{name}/console/ticket}: the node sets a new one-time VNC password
 * on the VM ({@code VmService.console}) and answers it with a ticket, random, good for one connection within
 * {@link #TICKET_LIFETIME}, bound to the asking session and the VM;
 * <li>the page opens {@code wss://<node>/api/v1/vms/{name}/console/vnc?ticket=...}; the browser sends the session
 * cookie with it. The ticket is spent, the session must be the one it was issued to and still valid, and the
 * Origin, if sent, must be this node (a page of another site cannot open it);
 * <li>noVNC speaks RFB over the socket and answers the VNC password challenge with the password from step 1.
 * </ol>
 * The relay ends when either side closes, and at once when the session is logged out or revoked.
 */
final class ConsoleRelay extends Handler.Wrapper {
    static final Duration TICKET_LIFETIME = Duration.ofSeconds(30);
    /** Relays at once, at most: each holds a thread reading the VNC server. */
    static final int MAX_RELAYS = 16;
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleRelay.class);
    private static final String PREFIX = RestServer.BASE + "/vms/";
    private static final String SUFFIX = "/console/vnc";
    private static final int CHUNK = 64 * 1024;

    /** What a ticket lets its holder open, once. */
    private record Ticket(String vm, String sessionToken, String host, int port, Instant expiresAt) {
    }

    /** The ticket route's answer. */
    record Issued(String ticket, String password, Instant expiresAt, String path) {
    }

    /** The VM's VNC server, with a new one-time password each call. */
    private final Function<String, ConsoleEndpoint> vnc;
    private final Authenticator authenticator;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Ticket> tickets = new ConcurrentHashMap<>();
    private final Semaphore relays = new Semaphore(MAX_RELAYS);
    private final AtomicInteger count = new AtomicInteger();
    private WebSocketMappings mappings;

    /** Serves the console's WebSocket itself and hands every other request to the handler set next. */
    ConsoleRelay(Function<String, ConsoleEndpoint> vnc, Authenticator authenticator, Clock clock) {
        this.vnc = vnc;
        this.authenticator = authenticator;
        this.clock = clock;
    }

    List<Route> routes() {
        return List.of(Route.secured("POST", "/vms/{name}/console/ticket", c -> Reply.ok(issue(c.name("name", "VM"),
                c.token().orElseThrow()))));
    }

    Issued issue(String vm, String sessionToken) {
        ConsoleEndpoint endpoint = vnc.apply(vm);
        Instant now = clock.instant();
        tickets.values().removeIf(t -> !t.expiresAt().isAfter(now));
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant expiresAt = now.plus(TICKET_LIFETIME);
        tickets.put(ticket, new Ticket(vm, sessionToken, endpoint.host(), endpoint.port(), expiresAt));
        return new Issued(ticket, endpoint.password().orElseThrow(), expiresAt, PREFIX + vm + SUFFIX + "?ticket=" + ticket);
    }

    @Override
    protected void doStart() throws Exception {
        // the server's own threads and buffers: the relay adds no pool of its own
        WebSocketComponents components = new WebSocketComponents(null, null, getServer().getByteBufferPool(), null,
                null, getServer().getThreadPool());
        addBean(components, true);
        mappings = new WebSocketMappings(components);
        super.doStart();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        if (path == null || !path.startsWith(PREFIX) || !path.endsWith(SUFFIX)) {
            return super.handle(request, response, callback);
        }
        try {
            Ticket ticket = redeem(request, path.substring(PREFIX.length(), path.length() - SUFFIX.length()));
            if (!relays.tryAcquire()) {
                throw new HttpError(503, ErrorCode.BACKEND_UNAVAILABLE,
                        "too many consoles are open (" + MAX_RELAYS + "): close one and try again");
            }
            boolean upgraded;
            try {
                WebSocketNegotiator negotiator = (upgrade, upgradeResponse, cb) -> {
                    if (upgrade.hasSubProtocol("binary")) {
                        upgradeResponse.setAcceptedSubProtocol("binary");
                    }
                    return new TcpRelay(ticket);
                };
                upgraded = mappings.upgrade(negotiator, request, response, callback, null);
            } catch (RuntimeException e) {
                relays.release();
                throw e;
            }
            if (!upgraded) {
                relays.release();
                throw new HttpError(400, ErrorCode.INVALID_ARGUMENT, "this is a WebSocket: open it with an upgrade");
            }
            return true;
        } catch (RuntimeException e) {
            try (Exchange exchange = new Exchange(request, response, callback)) {
                Dispatcher.send(exchange, Dispatcher.error(e, request.getMethod(), path));
            }
            return true;
        }
    }

    /** Spends the request's ticket and checks that it may open this VM's console now. */
    private Ticket redeem(Request request, String rawVm) {
        String vm = Validation.name("VM", rawVm);
        Fields query = Request.extractQueryParameters(request);
        String value = query.getValue("ticket");
        Ticket ticket = value == null ? null : tickets.remove(value);
        if (ticket == null || !ticket.expiresAt().isAfter(clock.instant())) {
            throw new QuantixException(ErrorCode.UNAUTHENTICATED, "the console ticket is unknown, used or expired:"
                    + " ask POST " + RestServer.BASE + "/vms/" + vm + "/console/ticket for a new one");
        }
        String origin = request.getHeaders().get("Origin");
        String host = request.getHeaders().get("Host");
        if (origin != null && (host == null || !origin.equals("https://" + host))) {
            throw new HttpError(403, ErrorCode.PERMISSION_DENIED, "a console may be opened only from this node's own"
                    + " pages (Origin " + origin + ")");
        }
        Optional<String> token = BrowserSessions.cookieToken(request.getHeaders().getValuesList("Cookie"))
                .or(() -> Optional.ofNullable(request.getHeaders().get("Authorization"))
                        .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7)).map(h -> h.substring(7).strip()));
        boolean sameSession = token.isPresent() && MessageDigest.isEqual(token.get().getBytes(StandardCharsets.UTF_8),
                ticket.sessionToken().getBytes(StandardCharsets.UTF_8));
        if (!sameSession || authenticator.verify(token.get()).isEmpty()) {
            throw new QuantixException(ErrorCode.UNAUTHENTICATED,
                    "the console ticket belongs to another session, or the session has ended: log in again");
        }
        if (!ticket.vm().equals(vm)) {
            throw new HttpError(403, ErrorCode.PERMISSION_DENIED, "the console ticket is for VM '" + ticket.vm() + "'");
        }
        return ticket;
    }

    /**
     * One console: the WebSocket's binary frames go to the VNC server's socket, and what the server sends comes back
     * as binary frames, read by one thread per relay so that a slow browser slows the VM's VNC server (TCP's
     * back-pressure) instead of filling memory.
     */
    private final class TcpRelay implements FrameHandler {
        private final Ticket ticket;
        private final Socket socket = new Socket();
        private volatile CoreSession session;
        private Authenticator.Subscription revocation;

        TcpRelay(Ticket ticket) {
            this.ticket = ticket;
        }

        @Override
        public void onOpen(CoreSession opened, Callback callback) {
            session = opened;
            try {
                socket.connect(new InetSocketAddress(ticket.host(), ticket.port()), 5000);
                socket.setTcpNoDelay(true);
            } catch (IOException e) {
                LOG.info("console of VM {}: its VNC server at {}:{} does not answer: {}", ticket.vm(), ticket.host(),
                        ticket.port(), e.toString());
                end();
                callback.failed(e);
                return;
            }
            revocation = authenticator.onRevoked(ticket.sessionToken(),
                    () -> opened.close(CloseStatus.POLICY_VIOLATION, "the session has ended", Callback.NOOP));
            Thread reader = new Thread(this::pump, "quantix-console-" + count.incrementAndGet());
            reader.setDaemon(true);
            reader.start();
            callback.succeeded();
            opened.demand();
        }

        /** VNC server to browser, until either closes. */
        private void pump() {
            byte[] buffer = new byte[CHUNK];
            try {
                var in = socket.getInputStream();
                for (int n; (n = in.read(buffer)) >= 0;) {
                    Callback.Completable sent = new Callback.Completable();
                    session.sendFrame(new Frame(OpCode.BINARY, ByteBuffer.wrap(buffer, 0, n)), sent, false);
                    sent.get();
                }
                session.close(CloseStatus.NORMAL, "the VM's console closed", Callback.NOOP);
            } catch (Exception e) {
                LOG.debug("console relay of VM {} ends: {}", ticket.vm(), e.toString());
                session.close(CloseStatus.SHUTDOWN, "the console relay ended", Callback.NOOP);
            }
        }

        @Override
        public void onFrame(Frame frame, Callback callback) {
            try {
                if (frame.getOpCode() == OpCode.BINARY || frame.getOpCode() == OpCode.CONTINUATION) {
                    ByteBuffer payload = frame.getPayload();
                    if (payload != null && payload.hasRemaining()) {
                        byte[] bytes = new byte[payload.remaining()];
                        payload.get(bytes);
                        socket.getOutputStream().write(bytes);
                    }
                }
                callback.succeeded();
                // one frame at a time: the next is read only once this one is on the VNC socket
                session.demand();
            } catch (IOException e) {
                callback.failed(e);
            }
        }

        @Override
        public void onError(Throwable cause, Callback callback) {
            LOG.debug("console relay of VM {} failed: {}", ticket.vm(), cause.toString());
            end();
            callback.succeeded();
        }

        @Override
        public void onClosed(CloseStatus status, Callback callback) {
            end();
            callback.succeeded();
        }

        private synchronized void end() {
            if (socket.isClosed()) {
                return;
            }
            try {
                socket.close();
            } catch (IOException e) {
                LOG.debug("closing the VNC socket of VM {}: {}", ticket.vm(), e.toString());
            }
            if (revocation != null) {
                revocation.close();
            }
            relays.release();
        }
    }
}
