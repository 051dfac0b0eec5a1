package io.quantix.grpc.internal;

import com.google.protobuf.Empty;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** Ends a call with the answer of a service call, or with the status its failure maps to. */
final class Calls {
    private Calls() {
    }

    static <T> void unary(StreamObserver<T> out, Supplier<T> call) {
        T answer;
        try {
            answer = call.get();
        } catch (RuntimeException | Error e) {
            out.onError(ErrorMapping.toStatus(e, AuthInterceptor.METHOD.get()));
            return;
        }
        out.onNext(answer);
        out.onCompleted();
    }

    static void empty(StreamObserver<Empty> out, Runnable call) {
        unary(out, () -> {
            call.run();
            return Empty.getDefaultInstance();
        });
    }
}
