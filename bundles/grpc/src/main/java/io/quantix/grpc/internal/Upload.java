package io.quantix.grpc.internal;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quantix.api.QuantixException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A client stream of one header message then data chunks, handed to a service method as an {@link InputStream}
 * (ImportVolume, UploadIso). The service reads on a thread of its own; the client is asked for the next chunk
 * only once the previous one has been read, so at most one chunk is held in memory. A stream that breaks makes
 * the service's read fail, and the service then leaves nothing behind.
 *
 * @param <R> the request message
 * @param <A> the answer
 */
final class Upload<R, A> implements StreamObserver<R> {
    private static final Object END = new Object();
    private static final Object BROKEN = new Object();

    private final ServerCallStreamObserver<A> out;
    private final ExecutorService executor;
    private final Predicate<R> isHeader;
    private final Function<R, ByteString> data;
    private final BiFunction<R, InputStream, A> store;
    private final BlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final String method = AuthInterceptor.METHOD.get();
    private boolean started;

    Upload(ServerCallStreamObserver<A> out, ExecutorService executor, Predicate<R> isHeader,
            Function<R, ByteString> data, BiFunction<R, InputStream, A> store) {
        this.out = out;
        this.executor = executor;
        this.isHeader = isHeader;
        this.data = data;
        this.store = store;
        out.disableAutoRequest();
        out.request(1);
    }

    @Override
    public void onNext(R message) {
        if (ended.get()) {
            return; // answered already: nothing more is read, and nothing new starts
        }
        if (started == isHeader.test(message)) {
            chunks.add(BROKEN);
            fail(QuantixException.invalid(started ? "only the first message may be a header"
                    : "the first message must be the header"));
            return;
        }
        if (!started) {
            started = true;
            // the service call runs on another thread: it keeps this call's context (method name, session)
            executor.execute(Context.current().wrap(() -> {
                A answer;
                try {
                    answer = store.apply(message, new ChunkStream());
                } catch (RuntimeException e) {
                    fail(e);
                    return;
                }
                if (ended.compareAndSet(false, true)) {
                    out.onNext(answer);
                    out.onCompleted();
                }
            }));
            out.request(1);
        } else {
            chunks.add(data.apply(message));
        }
    }

    @Override
    public void onError(Throwable t) {
        chunks.add(BROKEN);
    }

    @Override
    public void onCompleted() {
        if (!started) {
            fail(QuantixException.invalid("the stream ended before its header"));
        }
        chunks.add(END);
    }

    private void fail(RuntimeException e) {
        if (ended.compareAndSet(false, true)) {
            out.onError(ErrorMapping.toStatus(e, method));
        }
    }

    /** The chunks as they arrive. */
    private final class ChunkStream extends InputStream {
        private ByteString current = ByteString.EMPTY;
        private int position;
        private boolean end;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (position == current.size()) {
                if (end) {
                    return -1;
                }
                Object next;
                try {
                    next = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("the node is stopping");
                }
                if (next == BROKEN) {
                    throw new IOException("the client's stream broke off");
                }
                if (next == END) {
                    end = true;
                } else {
                    current = (ByteString) next;
                    position = 0;
                    out.request(1);
                }
            }
            int n = Math.min(len, current.size() - position);
            current.copyTo(b, position, off, n);
            position += n;
            return n;
        }
    }
}
