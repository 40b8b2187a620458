package dev.greenloop.testkit.quarkus;

import dev.greenloop.testkit.otlp.OtlpReceiver;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * An {@link OtlpReceiver} for {@code @QuarkusTest}: the function exports its spans there
 * ({@code greenloop.tracing.otlp-endpoint}, tracing's one setting), a second apart. The test
 * reads them with {@link #receiver()}.
 */
public final class OtlpResource implements QuarkusTestResourceLifecycleManager {

    private static volatile OtlpReceiver receiver;

    /** The receiver of the running test's application. */
    public static OtlpReceiver receiver() {
        return receiver;
    }

    @Override
    public Map<String, String> start() {
        receiver = OtlpReceiver.start();
        return Map.of("greenloop.tracing.otlp-endpoint", receiver.endpoint().toString(),
                "quarkus.otel.bsp.schedule.delay", "1s");
    }

    @Override
    public void stop() {
        if (receiver != null) {
            receiver.close();
        }
    }
}
