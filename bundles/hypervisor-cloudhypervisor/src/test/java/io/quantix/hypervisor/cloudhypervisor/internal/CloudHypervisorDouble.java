package io.quantix.hypervisor.cloudhypervisor.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * A wire-level double of one {@code cloud-hypervisor --api-socket} process: an HTTP/1.1 server on a Unix socket with
 * CH's VM state machine (no VM → Created → Running ⇄ Paused → Shutdown, boot again from Shutdown), answering 404
 * (no VM), 405 (wrong state) and 500 (CH's generic failure) where CH does. Like CH it opens every disk, the
 * firmware and every tap at boot, and its process ends when the guest powers off (here: at once on the ACPI power
 * button) or on {@code vmm.shutdown}; its socket file stays behind, as a crashed CH's would.
 *
 * <p>Every request and every answer goes through the {@link OpenApiOracle}; what it rejects is kept in
 * {@link #violations()} (and an invalid request is answered 400), so a test fails on any departure from the spec.
 */
final class CloudHypervisorDouble {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path socket;
    private final Predicate<String> tapExists;
    private final ServerSocketChannel server;
    private final CompletableFuture<Void> exited = new CompletableFuture<>();
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    private JsonNode config;
    private ChApi.VmState state;
    private long boots;
    private boolean obeysAcpi = true;

    /** @param tapExists whether a tap of that name exists, as CH would find when it opens it */
    CloudHypervisorDouble(Path socket, Predicate<String> tapExists) throws IOException {
        this.socket = socket;
        this.tapExists = tapExists;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread thread = new Thread(this::serve, "ch-double-" + socket.getFileName());
        thread.setDaemon(true);
        thread.start();
    }

    CompletableFuture<Void> onExit() {
        return exited;
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    /** "METHOD endpoint" of every request, in order. */
    List<String> calls() {
        return List.copyOf(calls);
    }

    synchronized JsonNode config() {
        return config;
    }

    /** A guest that ignores the power button, as a hung or ACPI-less one does. */
    synchronized void ignoreAcpi() {
        obeysAcpi = false;
    }

    /** The process ends: the server closes, the socket file stays. */
    void exit() {
        try {
            server.close();
        } catch (IOException e) {
            violations.add("closing the double's server failed: " + e);
        }
        // Completed from another thread, as the OS reports a process's end: never inside a request the backend waits on.
        CompletableFuture.runAsync(() -> exited.complete(null));
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel channel = server.accept()) {
                handle(Channels.newInputStream(channel), Channels.newOutputStream(channel));
            } catch (IOException e) {
                if (server.isOpen()) {
                    violations.add("connection failed: " + e);
                }
            }
        }
    }

    private void handle(InputStream in, OutputStream out) throws IOException {
        String head = readHead(in);
        String[] lines = head.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[2].equals("HTTP/1.1")) {
            violations.add("not an HTTP/1.1 request line: " + lines[0]);
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).strip(), lines[i].substring(colon + 1).strip());
        }
        int length = Integer.parseInt(headers.getOrDefault("Content-Length", "0"));
        String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        String method = requestLine[0];
        String path = requestLine[1];
        calls.add(method + " " + path.substring(path.lastIndexOf('/') + 1));

        List<String> bad = OpenApiOracle.checkRequest(method, path, headers, body);
        Answer answer;
        if (bad.isEmpty()) {
            answer = answer(method, path.substring(path.lastIndexOf('/') + 1), body);
            List<String> badAnswer = OpenApiOracle.checkResponse(method, path, answer.status(),
                    "application/json", answer.body());
            badAnswer.forEach(v -> violations.add("response to " + method + " " + path + ": " + v));
        } else {
            bad.forEach(v -> violations.add("request " + method + " " + path + ": " + v));
            answer = new Answer(400, "\"invalid request: " + String.join("; ", bad).replace("\"", "'") + "\"");
        }
        byte[] content = answer.body().getBytes(StandardCharsets.UTF_8);
        StringBuilder response = new StringBuilder("HTTP/1.1 ").append(answer.status()).append(' ')
                .append(reason(answer.status())).append("\r\nServer: Cloud Hypervisor API\r\nConnection: close\r\n");
        if (content.length > 0) {
            response.append("Content-Type: application/json\r\n").append("Content-Length: ").append(content.length)
                    .append("\r\n");
        }
        out.write(response.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.write(content);
        out.flush();
        if (answer.exitAfter()) {
            exit();
        }
    }

    private record Answer(int status, String body, boolean exitAfter) {
        Answer(int status, String body) {
            this(status, body, false);
        }

        static Answer noContent() {
            return new Answer(204, "");
        }
    }

    private synchronized Answer answer(String method, String endpoint, String body) throws IOException {
        switch (method + " " + endpoint) {
            case "GET vmm.ping":
                return new Answer(200, JSON.createObjectNode().put("version", "v48.0").put("build_version", "double")
                        .put("pid", ProcessHandle.current().pid()).toString());
            case "PUT vmm.shutdown":
                return new Answer(204, "", true);
            case "GET vm.info":
                if (state == null) {
                    return new Answer(404, "");
                }
                ObjectNode info = JSON.createObjectNode();
                info.set("config", config);
                info.put("state", state.name());
                return new Answer(200, info.toString());
            case "GET vm.counters":
                return state == null ? error("VmNotCreated") : new Answer(200, counters());
            case "PUT vm.create":
                if (state != null) {
                    return error("VmAlreadyCreated");
                }
                config = JSON.readTree(body);
                state = ChApi.VmState.Created;
                return Answer.noContent();
            case "PUT vm.delete":
                config = null;
                state = null;
                return Answer.noContent();
            case "PUT vm.boot":
                if (state == null) {
                    return new Answer(404, "");
                }
                if (state != ChApi.VmState.Created && state != ChApi.VmState.Shutdown) {
                    return error("VmBoot(InvalidStateTransition(" + state + ", Running))");
                }
                String missing = missingAtBoot();
                if (missing != null) {
                    return error("VmBoot(" + missing + ")");
                }
                state = ChApi.VmState.Running;
                boots++;
                return Answer.noContent();
            case "PUT vm.pause":
                return transition(ChApi.VmState.Running, ChApi.VmState.Paused);
            case "PUT vm.resume":
                return transition(ChApi.VmState.Paused, ChApi.VmState.Running);
            case "PUT vm.reboot":
                return transition(ChApi.VmState.Running, ChApi.VmState.Running);
            case "PUT vm.shutdown":
                if (state == ChApi.VmState.Paused) {
                    state = ChApi.VmState.Shutdown;
                    return Answer.noContent();
                }
                return transition(ChApi.VmState.Running, ChApi.VmState.Shutdown);
            case "PUT vm.power-button":
                Answer pressed = transition(ChApi.VmState.Running, ChApi.VmState.Running);
                if (pressed.status() == 204 && obeysAcpi) {
                    // The guest powers off, and CH's process ends with it.
                    state = ChApi.VmState.Shutdown;
                    return new Answer(204, "", true);
                }
                return pressed;
            default:
                return new Answer(404, "");
        }
    }

    private Answer transition(ChApi.VmState from, ChApi.VmState to) {
        if (state == null) {
            return new Answer(404, "");
        }
        if (state != from) {
            return new Answer(405, "");
        }
        state = to;
        return Answer.noContent();
    }

    /** CH answers failures with 500 and its error chain as a JSON string. */
    private static Answer error(String what) {
        return new Answer(500, JSON.getNodeFactory().textNode(what).toString());
    }

    /** What CH would fail to open at boot: the firmware, a disk image or a tap. */
    private String missingAtBoot() {
        JsonNode payload = config.path("payload");
        for (String file : List.of("firmware", "kernel", "initramfs")) {
            if (payload.has(file) && !Files.isRegularFile(Path.of(payload.path(file).asText()))) {
                return "LoadPayload(" + payload.path(file).asText() + ": No such file or directory)";
            }
        }
        if (!payload.has("firmware") && !payload.has("kernel")) {
            return "InvalidPayload";
        }
        for (JsonNode disk : config.path("disks")) {
            if (!Files.isRegularFile(Path.of(disk.path("path").asText()))) {
                return "DeviceManager(Disk(OpenDisk(" + disk.path("path").asText() + ": No such file or directory)))";
            }
        }
        for (JsonNode net : config.path("net")) {
            if (!tapExists.test(net.path("tap").asText())) {
                return "DeviceManager(Net(OpenTap(" + net.path("tap").asText() + ")))";
            }
        }
        return null;
    }

    /** Counters that grow with every boot, per device id, as CH reports them. */
    private String counters() {
        ObjectNode all = JSON.createObjectNode();
        for (JsonNode disk : config.path("disks")) {
            all.putObject(disk.path("id").asText()).put("read_bytes", 1000 * boots).put("write_bytes", 100 * boots)
                    .put("read_ops", boots);
        }
        for (JsonNode net : config.path("net")) {
            all.putObject(net.path("id").asText()).put("rx_bytes", 2000 * boots).put("tx_bytes", 200 * boots)
                    .put("rx_frames", boots);
        }
        return all.toString();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("request ended in its head");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        return text.substring(0, text.length() - end.length);
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            default -> "Internal Server Error";
        };
    }

    @Override
    public String toString() {
        return "CH double on " + socket + " (" + String.valueOf(state).toLowerCase(Locale.ROOT) + ")";
    }
}
