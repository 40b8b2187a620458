package dev.greenloop.infer.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.greenloop.clients.ModelVersionInfo;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.features.Signal;
import org.jboss.logging.Logger;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One model version with its ONNX Runtime session, created once. Checked at load: one float
 * input {@code [n, width]} whose width is the feature spec's size, and one {@code [n, 1]} output
 * per target, named for the target. Reference-counted, so that a swap lets in-flight inferences
 * finish on it: {@link #retire()} closes the session once the last user has released it.
 */
public final class LoadedModel {

    private static final Logger LOG = Logger.getLogger(LoadedModel.class);

    private final ModelVersionInfo info;
    private final String alias;
    private final FeatureSpec spec;
    private final int horizonMinutes;
    private final List<SensorKind> targets;
    private final List<String> outputNames;
    private final String inputName;
    private final OrtEnvironment env;
    private final OrtSession session;
    /** Users in flight; -1 once closed. */
    private final AtomicInteger users = new AtomicInteger();
    private volatile boolean retired;

    private LoadedModel(ModelVersionInfo info, String alias, FeatureSpec spec, int horizonMinutes, List<SensorKind> targets,
                        List<String> outputNames, String inputName, OrtEnvironment env, OrtSession session) {
        this.info = info;
        this.alias = alias;
        this.spec = spec;
        this.horizonMinutes = horizonMinutes;
        this.targets = List.copyOf(targets);
        this.outputNames = List.copyOf(outputNames);
        this.inputName = inputName;
        this.env = env;
        this.session = session;
    }

    /** Creates the session and checks the model against the feature spec its version is tagged with. */
    public static LoadedModel load(OrtEnvironment env, OrtSession.SessionOptions options, ModelVersionInfo info, String alias,
                                   byte[] onnx) throws ModelLoadException {
        String what = info.modelName() + " version " + info.version();
        String specVersion = info.tags().get("feature_spec_version");
        if (specVersion == null) {
            throw new ModelLoadException("tags", what + " has no feature_spec_version tag", null);
        }
        FeatureSpec spec = FeatureSpec.of(specVersion).orElseThrow(() -> new ModelLoadException("tags",
                what + " was trained on feature spec " + specVersion + ", which this build does not compute", null));
        int horizon;
        try {
            horizon = Integer.parseInt(info.tags().getOrDefault("horizon_minutes", ""));
        } catch (NumberFormatException e) {
            throw new ModelLoadException("tags", what + " has no valid horizon_minutes tag", null);
        }
        if (horizon < 1 || horizon > 1440) {
            throw new ModelLoadException("tags", what + " has horizon_minutes " + horizon + ", outside 1..1440", null);
        }
        OrtSession session;
        try {
            session = env.createSession(onnx, options);
        } catch (OrtException e) {
            throw new ModelLoadException("onnx", what + " is not a model ONNX Runtime can load: " + firstLine(e.getMessage()), e);
        }
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            if (inputs.size() != 1) {
                throw new ModelLoadException("signature", what + " takes " + inputs.size() + " inputs; it must take one", null);
            }
            NodeInfo input = inputs.values().iterator().next();
            long[] shape = floatShape(what, input);
            if (shape.length != 2 || shape[1] != spec.size()) {
                throw new ModelLoadException("signature", what + " takes input " + input.getName() + " of shape "
                        + java.util.Arrays.toString(shape) + "; feature spec " + specVersion + " gives [n, " + spec.size() + "]", null);
            }
            List<SensorKind> allowed = spec.targetSignals().stream().map(Signal::sensor).toList();
            List<SensorKind> targets = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (NodeInfo output : session.getOutputInfo().values()) {
                SensorKind kind;
                try {
                    kind = SensorKind.fromWire(output.getName());
                } catch (RuntimeException e) {
                    kind = null;
                }
                if (kind == null || !allowed.contains(kind)) {
                    throw new ModelLoadException("signature", what + " has output " + output.getName()
                            + ", which is not a target of feature spec " + specVersion, null);
                }
                long[] out = floatShape(what, output);
                if (out.length != 2 || out[1] != 1) {
                    throw new ModelLoadException("signature", what + " output " + output.getName() + " has shape "
                            + java.util.Arrays.toString(out) + "; it must be [n, 1]", null);
                }
                targets.add(kind);
                names.add(output.getName());
            }
            if (targets.isEmpty()) {
                throw new ModelLoadException("signature", what + " has no outputs", null);
            }
            return new LoadedModel(info, alias, spec, horizon, targets, names, input.getName(), env, session);
        } catch (ModelLoadException | RuntimeException e) {
            closeQuietly(session);
            throw e;
        } catch (OrtException e) {
            closeQuietly(session);
            throw new ModelLoadException("onnx", what + ": " + firstLine(e.getMessage()), e);
        }
    }

    private static long[] floatShape(String what, NodeInfo node) throws ModelLoadException {
        if (!(node.getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT) {
            throw new ModelLoadException("signature", what + ": " + node.getName() + " is not a float tensor", null);
        }
        return t.getShape();
    }

    public ModelVersionInfo info() {
        return info;
    }

    public String name() {
        return info.modelName();
    }

    public String version() {
        return info.version();
    }

    public String alias() {
        return alias;
    }

    public FeatureSpec spec() {
        return spec;
    }

    public int horizonMinutes() {
        return horizonMinutes;
    }

    /** The targets, in the order {@link #run} returns them. */
    public List<SensorKind> targets() {
        return targets;
    }

    public int width() {
        return spec.size();
    }

    /** Takes a use of the model; false when it has been closed (a swap won the race: take the new one). */
    public boolean acquire() {
        while (true) {
            int n = users.get();
            if (n < 0) {
                return false;
            }
            if (users.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    public void release() {
        if (users.decrementAndGet() == 0 && retired) {
            closeIfUnused();
        }
    }

    /** No new users will find it; the session closes when the last one releases it. */
    public void retire() {
        retired = true;
        closeIfUnused();
    }

    public boolean closed() {
        return users.get() < 0;
    }

    private void closeIfUnused() {
        if (users.compareAndSet(0, -1)) {
            closeQuietly(session);
            LOG.debugf("Closed the session of %s version %s", name(), version());
        }
    }

    /**
     * Runs the model on {@code rows} feature vectors laid out row after row in {@code input} (a
     * direct buffer, positioned at 0, {@code rows * width} floats). The caller holds a use.
     *
     * @return per target (in {@link #targets()} order), one value per row
     */
    public float[][] run(FloatBuffer input, int rows) throws OrtException {
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, new long[] {rows, width()});
             OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            float[][] out = new float[outputNames.size()][];
            for (int t = 0; t < out.length; t++) {
                OnnxValue value = result.get(outputNames.get(t)).orElseThrow();
                FloatBuffer values = ((OnnxTensor) value).getFloatBuffer();
                out[t] = new float[rows];
                values.get(out[t]);
            }
            return out;
        }
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException | RuntimeException e) {
            LOG.warnf("Closing an ONNX Runtime session failed: %s", e.getMessage());
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
