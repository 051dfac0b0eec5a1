package io.quantix.rest.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPOutputStream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.util.tracker.BundleTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a single-page web application (the web console) at {@code /}, beside the API. The files come from an
 * active bundle whose manifest names their folder in {@value #HEADER} (an extender, so the console is a
 * resource-only bundle that {@code feature:install} adds and {@code feature:uninstall} removes while the API stays
 * up); with no such bundle every page is 404.
 *
 * <p>Caching: Vite puts every script and stylesheet under {@code /assets/} with a content hash in its name, so
 * those are immutable for a year; everything else, index.html above all, is revalidated on every load so a new
 * console is picked up at once. A path with no file extension that is not a file is a client-side route and
 * gets index.html. Text files are gzipped once, in memory, for clients that accept it.
 */
final class StaticSite implements HttpsEndpoint.ExchangeHandler {
    static final String HEADER = "Quantix-Web-Root";
    /**
     * Only the node's own origin, no inline script, no frames, no plugins: the console's scripts are files, and the
     * API is same-origin. Inline styles are allowed (styles only): the toast and chart libraries set style
     * attributes and inject a style element at run time, and a style cannot run code. {@code data:} images are
     * Vite's inlined small icons.
     */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
            + " font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self';"
            + " frame-ancestors 'none'";
    private static final Logger LOG = LoggerFactory.getLogger(StaticSite.class);
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"), Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"), Map.entry("json", "application/json"),
            Map.entry("svg", "image/svg+xml"), Map.entry("png", "image/png"), Map.entry("ico", "image/x-icon"),
            Map.entry("woff2", "font/woff2"), Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("map", "application/json"));

    /** Where the files are: a bundle's folder in production, a directory in tests. */
    @FunctionalInterface
    interface Source {
        /** The file at {@code path} (relative, no leading slash, already checked to stay inside), if any. */
        Optional<byte[]> read(String path);
    }

    private volatile Source source;
    private final Map<String, byte[]> gzipped = new ConcurrentHashMap<>();
    private BundleTracker<Source> tracker;

    StaticSite(Source source) {
        this.source = source;
    }

    /** Follows the active bundles that carry {@value #HEADER}; the newest one wins. */
    static StaticSite tracking(BundleContext context) {
        StaticSite site = new StaticSite(null);
        site.tracker = new BundleTracker<>(context, Bundle.ACTIVE, null) {
            @Override
            public Source addingBundle(Bundle bundle, BundleEvent event) {
                String root = bundle.getHeaders().get(HEADER);
                if (root == null) {
                    return null;
                }
                Source found = path -> read(bundle.getEntry(root.replaceAll("/+$", "") + "/" + path));
                LOG.info("serving the web console from bundle {} ({})", bundle.getSymbolicName(), bundle.getVersion());
                site.use(found);
                return found;
            }

            @Override
            public void removedBundle(Bundle bundle, BundleEvent event, Source gone) {
                LOG.info("web console bundle {} is gone", bundle.getSymbolicName());
                site.replace(gone, null);
            }
        };
        site.tracker.open();
        return site;
    }

    void close() {
        if (tracker != null) {
            tracker.close();
        }
    }

    private synchronized void use(Source next) {
        source = next;
        gzipped.clear();
    }

    private synchronized void replace(Source gone, Source next) {
        if (source == gone) {
            use(next);
        }
    }

    private static Optional<byte[]> read(URL entry) {
        if (entry == null) {
            return Optional.empty();
        }
        try (InputStream in = entry.openStream()) {
            return Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void handle(Exchange exchange) throws IOException {
        exchange.setHeader("X-Content-Type-Options", "nosniff");
        exchange.setHeader("Referrer-Policy", "no-referrer");
        exchange.setHeader("Strict-Transport-Security", "max-age=31536000");
        String method = exchange.method();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.setHeader("Allow", "GET, HEAD");
            plain(exchange, 405, "only GET and HEAD are served here");
            return;
        }
        Optional<String> path = relative(exchange.rawPath());
        Source current = source;
        if (path.isEmpty() || current == null) {
            plain(exchange, 404, current == null ? "no web console is installed on this node" : "not found");
            return;
        }
        String file = path.get();
        Optional<byte[]> body = current.read(file);
        if (body.isEmpty() && !file.substring(file.lastIndexOf('/') + 1).contains(".")) {
            file = "index.html";
            body = current.read(file);
        }
        if (body.isEmpty()) {
            plain(exchange, 404, "not found");
            return;
        }
        String extension = file.substring(file.lastIndexOf('.') + 1);
        String type = TYPES.getOrDefault(extension, "application/octet-stream");
        exchange.setHeader("Content-Type", type);
        exchange.setHeader("Cache-Control", file.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache");
        exchange.setHeader("Content-Security-Policy", CSP);
        exchange.setHeader("X-Frame-Options", "DENY");
        byte[] bytes = body.get();
        boolean text = type.startsWith("text/") || type.equals("application/json") || type.equals("image/svg+xml");
        if (text) {
            exchange.setHeader("Vary", "Accept-Encoding");
            String accept = exchange.header("Accept-Encoding");
            if (accept != null && accept.contains("gzip")) {
                byte[] plainBytes = bytes;
                bytes = gzipped.computeIfAbsent(file, f -> gzip(plainBytes));
                exchange.setHeader("Content-Encoding", "gzip");
            }
        }
        exchange.send(200, bytes);
    }

    /** The request path as a file path under the root; empty for one that tries to leave it or is malformed. */
    static Optional<String> relative(String rawPath) {
        String decoded;
        try {
            decoded = URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!decoded.startsWith("/") || decoded.contains("\\") || decoded.contains("\0")) {
            return Optional.empty();
        }
        String path = decoded.substring(1);
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                return Optional.empty();
            }
        }
        return Optional.of(path.isEmpty() || path.endsWith("/") ? path + "index.html" : path);
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void plain(Exchange exchange, int status, String message) throws IOException {
        exchange.setHeader("Content-Type", "text/plain; charset=utf-8");
        exchange.setHeader("Cache-Control", "no-store");
        exchange.send(status, message.getBytes(StandardCharsets.UTF_8));
    }
}
