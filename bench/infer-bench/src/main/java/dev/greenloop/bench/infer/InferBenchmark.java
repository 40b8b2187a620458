package dev.greenloop.bench.infer;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.infer.http.PredictResponse;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * What infer adds to ONNX Runtime. {@code raw}: a tensor over a prepared direct buffer,
 * {@code OrtSession.run}, the outputs read; the least any caller does. {@code http}: the body of
 * {@code POST /v1/predict} parsed, checked, scored and the answer written, without the network.
 * {@code event}: a feature window event's data parsed and validated against its JSON Schema,
 * scored, the prediction event built and its data written. Same model, same session settings
 * (one intra-op and one inter-op thread), one or 64 rows.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 3, jvmArgsAppend = {"-Xmx1g", "-XX:+UseParallelGC"})
public class InferBenchmark {

    @Param({"1", "64"})
    int rows;

    private InProcess app;
    private OrtEnvironment env;
    private OrtSession session;
    private FloatBuffer direct;
    private byte[] httpBody;
    private byte[] eventData;
    private final ObjectMapper mapper = EventJson.mapper();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        app = new InProcess();
        env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        session = env.createSession(app.onnx, options);
        int width = FeatureSpec.V1.size();
        List<List<Double>> vectors = vectors(rows, width);
        direct = ByteBuffer.allocateDirect(rows * width * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (List<Double> row : vectors) {
            for (Double v : row) {
                direct.put(v == null ? Float.NaN : v.floatValue());
            }
        }
        ObjectNode body = mapper.createObjectNode().put("greenhouseId", InProcess.GREENHOUSE).put("featureSpecVersion", "v1");
        if (rows == 1) {
            body.set("features", mapper.valueToTree(vectors.get(0)));
        } else {
            body.set("batch", mapper.valueToTree(vectors));
        }
        httpBody = mapper.writeValueAsBytes(body);
        Instant start = Instant.parse("2026-06-21T12:00:00Z");
        eventData = PayloadCodec.write(new FeatureWindow("win-bench", InProcess.GREENHOUSE, "zone-1", start,
                start.plusSeconds(60), "v1", FeatureSpec.V1.names(), vectors.get(0), List.of("readings-1")));
    }

    static List<List<Double>> vectors(int n, int width) {
        Random random = new Random(7);
        List<List<Double>> out = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            List<Double> row = new ArrayList<>();
            for (int i = 0; i < width; i++) {
                row.add(random.nextInt(20) == 0 ? null : 20 + random.nextGaussian() * 5);
            }
            out.add(row);
        }
        return out;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        session.close();
    }

    @Benchmark
    public float raw() throws Exception {
        direct.rewind();
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, direct, new long[] {rows, FeatureSpec.V1.size()});
             OrtSession.Result result = session.run(Map.of("features", tensor))) {
            float sum = 0;
            for (Map.Entry<String, OnnxValue> e : result) {
                FloatBuffer out = ((OnnxTensor) e.getValue()).getFloatBuffer();
                sum += out.get(0);
            }
            return sum;
        }
    }

    @Benchmark
    public byte[] http() throws Exception {
        // The resource parses the body itself (StrictJson), as it does behind Quarkus REST.
        PredictResponse response = app.http.predict(httpBody);
        return mapper.writeValueAsBytes(response);
    }

    @Benchmark
    public byte[] event() throws Exception {
        JsonNode data = mapper.readTree(eventData);
        CloudEvent<JsonNode> in = CloudEventBuilder.create().id("window-event").type(EventTypes.FEATURES_WINDOW)
                .source("/greenloop/preprocess").extensions(Map.of()).build(data);
        CloudEvent<JsonNode> reply = app.events.predict(in);
        return mapper.writeValueAsBytes(reply.data());
    }
}
