package io.quantix.rest.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One HTTP request and its answer as the API's code sees it: a blocking view of Jetty's request, response and
 * completion callback, so that resources read bodies and write answers as streams. Jetty runs each request on a
 * pool thread that may block; {@link #close()} completes the exchange once the answer is written (or fails it if
 * the answer could not be finished).
 */
final class Exchange implements AutoCloseable {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private InputStream body;
    private OutputStream out;
    private boolean closed;

    Exchange(Request request, Response response, Callback callback) {
        this.request = request;
        this.response = response;
        this.callback = callback;
    }

    String method() {
        return request.getMethod();
    }

    /** The path as sent, %-escapes kept. */
    String rawPath() {
        return request.getHttpURI().getPath();
    }

    /** The query as sent, or null. */
    String rawQuery() {
        return request.getHttpURI().getQuery();
    }

    /** The first value of a request header, or null. */
    String header(String name) {
        return request.getHeaders().get(name);
    }

    /** Every value of a request header, in order. */
    List<String> headers(String name) {
        return request.getHeaders().getFields(name).stream().map(HttpField::getValue).toList();
    }

    InetAddress remoteAddress() {
        return ((InetSocketAddress) request.getConnectionMetaData().getRemoteSocketAddress()).getAddress();
    }

    InputStream requestBody() {
        if (body == null) {
            body = Content.Source.asInputStream(request);
        }
        return body;
    }

    /** Sets (replaces) an answer header; before {@link #send} or {@link #stream}. */
    void setHeader(String name, String value) {
        response.getHeaders().put(name, value);
    }

    boolean hasHeader(String name) {
        return response.getHeaders().contains(name);
    }

    /** Sends the whole answer; a HEAD request gets its headers only. */
    void send(int status, byte[] bytes) throws IOException {
        response.setStatus(status);
        boolean noBody = bytes == null || method().equals("HEAD");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes == null ? 0 : bytes.length);
        try (OutputStream stream = Content.Sink.asOutputStream(response)) {
            if (!noBody) {
                stream.write(bytes);
            }
        }
    }

    /** Starts an answer of unknown length (an event stream): each flush of the returned stream sends a chunk. */
    OutputStream stream(int status) {
        response.setStatus(status);
        out = Content.Sink.asOutputStream(response);
        return out;
    }

    /** Completes the exchange, ending a streamed answer; a failure to finish it fails the exchange (Jetty resets it). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (out != null) {
                out.close();
            }
            callback.succeeded();
        } catch (IOException | RuntimeException e) {
            callback.failed(e);
        }
    }
}
