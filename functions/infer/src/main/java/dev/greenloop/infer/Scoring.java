package dev.greenloop.infer;

import ai.onnxruntime.OrtException;
import dev.greenloop.infer.model.LoadedModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Feeds feature vectors to a model: rows are written into a direct, native-order buffer that
 * ONNX Runtime reads in place (one per worker thread, grown when a larger batch comes), and
 * missing features travel as NaN, which the exported trees treat as missing.
 */
@ApplicationScoped
public class Scoring {

    private static final ThreadLocal<FloatBuffer> BUFFERS = new ThreadLocal<>();

    private final MeterRegistry metrics;

    public Scoring(MeterRegistry metrics) {
        this.metrics = metrics;
    }

    /** Writes rows here, then calls {@link #run}. */
    public static FloatBuffer buffer(int floats) {
        FloatBuffer buffer = BUFFERS.get();
        if (buffer == null || buffer.capacity() < floats) {
            buffer = ByteBuffer.allocateDirect(Math.max(floats, 4096) * Float.BYTES).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
            BUFFERS.set(buffer);
        }
        buffer.clear();
        return buffer;
    }

    /**
     * @param input {@code rows * width} floats written from position 0
     * @return per target (in the model's target order), one value per row, with its interval when the model gives one
     */
    public LoadedModel.Output run(LoadedModel model, FloatBuffer input, int rows, boolean shadow) {
        input.flip();
        try {
            LoadedModel.Output out = model.run(input, rows);
            metrics.counter("greenloop.infer.predictions", "model", model.name(), "version", model.version(),
                    "shadow", Boolean.toString(shadow)).increment(rows);
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on " + model.name() + " version " + model.version()
                    + ": " + e.getMessage(), e);
        }
    }

    /** The latency of a whole prediction (validation, inference, reply), by path. */
    /** A window not scored, and why ({@code greenloop.infer.unscored{reason}}). */
    public void unscored(String reason) {
        metrics.counter("greenloop.infer.unscored", "reason", reason).increment();
    }

    public Timer latency(String path) {
        return Timer.builder("greenloop.infer.latency").tag("path", path).publishPercentileHistogram()
                .description("Time to answer one prediction request or event").register(metrics);
    }
}
