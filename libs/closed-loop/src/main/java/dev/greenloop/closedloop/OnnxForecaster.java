package dev.greenloop.closedloop;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.features.ModelOutputs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A registered model version as infer serves it, run by ONNX Runtime in process: one float input
 * {@code [n, width]} of the feature spec's width, and one {@code [n, 1]} output per target named
 * for the target. One window at a time; not thread-safe.
 */
public final class OnnxForecaster implements Forecaster, AutoCloseable {

    private final String name;
    private final int horizonMinutes;
    private final int width;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String inputName;
    private final List<String> outputs;
    private final List<SensorKind> targets;
    /** Per target (in {@link #targets} order), its interval's outputs, or null. */
    private final List<String[]> bounds;
    private final FloatBuffer input;

    private OnnxForecaster(String name, int horizonMinutes, int width, OrtEnvironment env, OrtSession session,
                           String inputName, List<String> outputs, List<SensorKind> targets, List<String[]> bounds) {
        this.name = name;
        this.horizonMinutes = horizonMinutes;
        this.width = width;
        this.env = env;
        this.session = session;
        this.inputName = inputName;
        this.outputs = List.copyOf(outputs);
        this.targets = List.copyOf(targets);
        this.bounds = new ArrayList<>(bounds);
        this.input = ByteBuffer.allocateDirect(width * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * @throws IllegalArgumentException when ONNX Runtime cannot load the model or its signature is not the one infer serves
     */
    public static OnnxForecaster load(String name, byte[] onnx, FeatureSpec spec, int horizonMinutes) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            return load(name, env, env.createSession(onnx, options), spec, horizonMinutes);
        } catch (OrtException e) {
            throw new IllegalArgumentException(name + " is not a model ONNX Runtime can load: " + e.getMessage(), e);
        }
    }

    /**
     * As {@link #load(String, byte[], FeatureSpec, int)}, from a model.onnx file: a model whose
     * weights are external data, in files beside it, loads this way.
     */
    public static OnnxForecaster load(String name, java.nio.file.Path modelOnnx, FeatureSpec spec, int horizonMinutes) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            return load(name, env, env.createSession(modelOnnx.toString(), options), spec, horizonMinutes);
        } catch (OrtException e) {
            throw new IllegalArgumentException(name + " is not a model ONNX Runtime can load: " + e.getMessage(), e);
        }
    }

    private static OnnxForecaster load(String name, OrtEnvironment env, OrtSession session, FeatureSpec spec,
                                       int horizonMinutes) {
        try {
            if (session.getInputInfo().size() != 1) {
                throw new IllegalArgumentException(name + " takes " + session.getInputInfo().size() + " inputs; it must take one");
            }
            NodeInfo in = session.getInputInfo().values().iterator().next();
            long[] shape = floatShape(name, in);
            if (shape.length != 2 || shape[1] != spec.size()) {
                throw new IllegalArgumentException(name + " takes input of shape " + Arrays.toString(shape) + "; feature spec "
                        + spec.version() + " gives [n, " + spec.size() + "]");
            }
            List<String> outputs = new ArrayList<>();
            List<SensorKind> targets = new ArrayList<>();
            java.util.Set<String> names = session.getOutputInfo().keySet();
            for (NodeInfo out : session.getOutputInfo().values()) {
                ModelOutputs.Output output = ModelOutputs.parse(out.getName(), spec)
                        .orElseThrow(() -> new IllegalArgumentException(name + " has output " + out.getName()
                                + ", which is not a target of feature spec " + spec.version() + " or its interval"));
                floatShape(name, out);
                if (output.role() == ModelOutputs.Role.VALUE) {
                    outputs.add(out.getName());
                    targets.add(output.target());
                }
            }
            if (targets.isEmpty()) {
                throw new IllegalArgumentException(name + " has no outputs");
            }
            List<String[]> bounds = new ArrayList<>();
            for (SensorKind target : targets) {
                String low = ModelOutputs.name(target, ModelOutputs.Role.LOW);
                String high = ModelOutputs.name(target, ModelOutputs.Role.HIGH);
                bounds.add(names.contains(low) && names.contains(high) ? new String[] {low, high} : null);
            }
            return new OnnxForecaster(name, horizonMinutes, spec.size(), env, session, in.getName(), outputs, targets, bounds);
        } catch (OrtException | RuntimeException e) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // the load failed already; that is what is reported
            }
            throw e instanceof IllegalArgumentException iae ? iae : new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    private static double first(OrtSession.Result result, String output) {
        OnnxValue value = result.get(output).orElseThrow();
        return ((OnnxTensor) value).getFloatBuffer().get(0);
    }

    private static long[] floatShape(String name, NodeInfo node) {
        if (!(node.getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT) {
            throw new IllegalArgumentException(name + ": " + node.getName() + " is not a float tensor");
        }
        return t.getShape();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int horizonMinutes() {
        return horizonMinutes;
    }

    /** The targets the model serves, in its outputs' order. */
    public List<SensorKind> targets() {
        return targets;
    }

    @Override
    public Map<SensorKind, Double> forecast(double[] features) {
        return forecastWithIntervals(features).values();
    }

    @Override
    public Forecast forecastWithIntervals(double[] features) {
        input.clear();
        for (int i = 0; i < width; i++) {
            input.put((float) features[i]);
        }
        input.flip();
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, new long[] {1, width});
             OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            Map<SensorKind, Double> out = new EnumMap<>(SensorKind.class);
            Map<SensorKind, dev.greenloop.control.policy.Policy.Interval> intervals = new EnumMap<>(SensorKind.class);
            for (int t = 0; t < outputs.size(); t++) {
                out.put(targets.get(t), first(result, outputs.get(t)));
                if (bounds.get(t) != null) {
                    intervals.put(targets.get(t), new dev.greenloop.control.policy.Policy.Interval(
                            first(result, bounds.get(t)[0]), first(result, bounds.get(t)[1])));
                }
            }
            return new Forecast(out, intervals);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the session of " + name + " failed: " + e.getMessage(), e);
        }
    }
}
