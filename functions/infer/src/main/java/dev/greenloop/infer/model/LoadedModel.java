package dev.greenloop.infer.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.greenloop.clients.ModelFiles;
import dev.greenloop.clients.ModelVersionInfo;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.features.ModelOutputs;
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
 * per target, named for the target, with optionally its prediction interval as two more,
 * {@code <target>_low} and {@code <target>_high} ({@link ModelOutputs}). Reference-counted, so that a swap lets in-flight inferences
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
    /** Per target (in {@link #targets} order), its interval's outputs, or null without one. */
    private final List<String> lowNames;
    private final List<String> highNames;
    private final List<SensorKind> intervalTargets;
    private final String inputName;
    private final OrtEnvironment env;
    private final OrtSession session;
    /** Users in flight; -1 once closed. */
    private final AtomicInteger users = new AtomicInteger();
    private volatile boolean retired;

    private LoadedModel(ModelVersionInfo info, String alias, FeatureSpec spec, int horizonMinutes, List<SensorKind> targets,
                        List<String> outputNames, List<String> lowNames, List<String> highNames, String inputName,
                        OrtEnvironment env, OrtSession session) {
        this.info = info;
        this.alias = alias;
        this.spec = spec;
        this.horizonMinutes = horizonMinutes;
        this.targets = List.copyOf(targets);
        this.outputNames = List.copyOf(outputNames);
        this.lowNames = java.util.Collections.unmodifiableList(new ArrayList<>(lowNames));
        this.highNames = java.util.Collections.unmodifiableList(new ArrayList<>(highNames));
        List<SensorKind> bounded = new ArrayList<>();
        for (int t = 0; t < this.targets.size(); t++) {
            if (lowNames.get(t) != null) {
                bounded.add(this.targets.get(t));
            }
        }
        this.intervalTargets = List.copyOf(bounded);
        this.inputName = inputName;
        this.env = env;
        this.session = session;
    }

    /**
     * Creates the session and checks the model against the feature spec its version is tagged
     * with. Every problem found is reported at once, each with its fix (the model contract is in
     * infer's README): the tags, and, when ONNX Runtime can load the model, its signature.
     */
    public static LoadedModel load(OrtEnvironment env, OrtSession.SessionOptions options, ModelVersionInfo info, String alias,
                                   byte[] onnx) throws ModelLoadException {
        return load(env, options, info, alias, ModelFiles.of(onnx));
    }

    /**
     * As {@link #load(OrtEnvironment, OrtSession.SessionOptions, ModelVersionInfo, String, byte[])},
     * for a model that may keep its weights as external data: those files are written beside
     * model.onnx in a temporary directory, ONNX Runtime reads them from there while it creates
     * the session, and the directory is deleted.
     */
    public static LoadedModel load(OrtEnvironment env, OrtSession.SessionOptions options, ModelVersionInfo info, String alias,
                                   ModelFiles files) throws ModelLoadException {
        String what = info.modelName() + " version " + info.version();
        Problems problems = new Problems(what);
        String specVersion = info.tags().get("feature_spec_version");
        FeatureSpec spec = null;
        if (specVersion == null) {
            problems.add("tags", "it has no feature_spec_version tag",
                    "tag the version feature_spec_version=" + versions() + ", the feature spec it was trained on");
        } else {
            spec = FeatureSpec.of(specVersion).orElse(null);
            if (spec == null) {
                problems.add("tags", "it was trained on feature spec " + specVersion + ", which this build does not compute",
                        "train it on feature spec " + versions() + ", or serve it with a build that computes "
                                + specVersion);
            }
        }
        String horizonTag = info.tags().get("horizon_minutes");
        int horizon = 0;
        try {
            horizon = Integer.parseInt(horizonTag == null ? "" : horizonTag.trim());
            if (horizon < 1 || horizon > 1440) {
                problems.add("tags", "its horizon_minutes is " + horizon + ", outside 1..1440",
                        "tag it with the horizon it forecasts, in whole minutes from 1 to 1440 (the trainer's: 15)");
            }
        } catch (NumberFormatException e) {
            problems.add("tags", horizonTag == null ? "it has no horizon_minutes tag" : "its horizon_minutes tag \"" + horizonTag
                    + "\" is not a whole number", "tag the version horizon_minutes=15 (the horizon it forecasts, in minutes)");
        }
        OrtSession session;
        try {
            session = createSession(env, options, files);
        } catch (OrtException e) {
            String message = firstLine(e.getMessage());
            problems.add("onnx", "it is not a model ONNX Runtime can load: " + message, message.toLowerCase(java.util.Locale.ROOT)
                    .contains("external") ? "log the model with its external data files beside model.onnx in the same artifact "
                    + "directory (mlflow.onnx.log_model does), or with save_as_external_data=False"
                    : "log the model as ONNX that onnxruntime.InferenceSession opens (an opset and operators ONNX Runtime supports)");
            throw problems.exception();
        } catch (java.io.IOException e) {
            problems.add("onnx", "its external data could not be written for ONNX Runtime to read: " + e.getMessage(),
                    "give infer a writable temporary directory (java.io.tmpdir, /tmp in the Service)");
            throw problems.exception();
        }
        // Without a spec it can be served with, the signature is told against this build's spec.
        FeatureSpec contract = spec == null ? FeatureSpec.CURRENT : spec;
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            String inputName = null;
            if (inputs.size() != 1) {
                problems.add("signature", "it takes " + inputs.size() + " inputs", "export it with one input, float [n, "
                        + contract.size() + "]");
            } else {
                NodeInfo input = inputs.values().iterator().next();
                inputName = input.getName();
                long[] shape = floatShape(problems, input);
                if (shape != null && spec != null && (shape.length != 2 || shape[1] != spec.size())) {
                    problems.add("signature", "it takes input " + input.getName() + " of shape " + java.util.Arrays.toString(shape),
                            "feature spec " + specVersion + " gives [n, " + spec.size() + "]: export it with that input");
                }
            }
            List<SensorKind> allowed = contract.targetSignals().stream().map(Signal::sensor).toList();
            List<SensorKind> targets = new ArrayList<>();
            List<String> names = new ArrayList<>();
            Map<SensorKind, String> lows = new java.util.EnumMap<>(SensorKind.class);
            Map<SensorKind, String> highs = new java.util.EnumMap<>(SensorKind.class);
            for (NodeInfo output : session.getOutputInfo().values()) {
                ModelOutputs.Output parsed = ModelOutputs.parse(output.getName(), contract).orElse(null);
                if (parsed == null) {
                    problems.add("signature", "it has output " + output.getName() + ", which is not a target of feature spec "
                            + contract.version(), "name each output after its target: "
                            + allowed.stream().map(SensorKind::wireName).toList()
                            + ", and a target's prediction interval <target>_low and <target>_high");
                    continue;
                }
                long[] out = floatShape(problems, output);
                if (out != null && (out.length != 2 || out[1] != 1)) {
                    problems.add("signature", "its output " + output.getName() + " has shape " + java.util.Arrays.toString(out),
                            "export each output as float [n, 1]");
                }
                switch (parsed.role()) {
                    case VALUE -> {
                        targets.add(parsed.target());
                        names.add(output.getName());
                    }
                    case LOW -> lows.put(parsed.target(), output.getName());
                    case HIGH -> highs.put(parsed.target(), output.getName());
                }
            }
            List<String> lowNames = new ArrayList<>();
            List<String> highNames = new ArrayList<>();
            for (SensorKind target : targets) {
                lowNames.add(lows.get(target));
                highNames.add(highs.get(target));
            }
            java.util.Set<SensorKind> bounded = java.util.EnumSet.noneOf(SensorKind.class);
            bounded.addAll(lows.keySet());
            bounded.addAll(highs.keySet());
            for (SensorKind target : bounded) {
                String t = target.wireName();
                if (!targets.contains(target)) {
                    problems.add("signature", "it has an interval for " + t + " but no output " + t,
                            "export the value " + t + " beside " + t + "_low and " + t + "_high, or neither bound");
                } else if (!lows.containsKey(target) || !highs.containsKey(target)) {
                    problems.add("signature", "it has " + (lows.containsKey(target) ? t + "_low without " + t + "_high"
                            : t + "_high without " + t + "_low"), "export both bounds of the interval, or neither");
                }
            }
            if (session.getOutputInfo().isEmpty()) {
                problems.add("signature", "it has no outputs", "export one float [n, 1] output per target, named after it");
            }
            if (!problems.isEmpty()) {
                throw problems.exception();
            }
            return new LoadedModel(info, alias, spec, horizon, targets, names, lowNames, highNames, inputName, env, session);
        } catch (ModelLoadException | RuntimeException e) {
            closeQuietly(session);
            throw e;
        } catch (OrtException e) {
            closeQuietly(session);
            throw new ModelLoadException("onnx", what + ": " + firstLine(e.getMessage()), e);
        }
    }

    /** From bytes, or, with external data, from a temporary directory holding all the files. */
    private static OrtSession createSession(OrtEnvironment env, OrtSession.SessionOptions options, ModelFiles files)
            throws OrtException, java.io.IOException {
        if (files.external().isEmpty()) {
            return env.createSession(files.onnx(), options);
        }
        return files.inDirectory(model -> env.createSession(model.toString(), options));
    }

    /** The type and shape of a float tensor; null (and a problem) for anything else. */
    private static long[] floatShape(Problems problems, NodeInfo node) {
        if (!(node.getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT) {
            problems.add("signature", node.getName() + " is not a float tensor", "export it as float32");
            return null;
        }
        return t.getShape();
    }

    /** What is wrong with a model version, each with its fix, in the order found. */
    private static final class Problems {
        private final String what;
        private final List<String> lines = new ArrayList<>();
        private String reason;

        Problems(String what) {
            this.what = what;
        }

        void add(String kind, String problem, String fix) {
            if (reason == null) {
                reason = kind;
            }
            lines.add(problem + " (fix: " + fix + ")");
        }

        boolean isEmpty() {
            return lines.isEmpty();
        }

        /** One exception for all of them; its reason (the metric tag) is the first problem's kind. */
        ModelLoadException exception() {
            StringBuilder message = new StringBuilder(what).append(" cannot be served");
            if (lines.size() == 1) {
                message.append(": ").append(lines.get(0));
            } else {
                message.append(" (").append(lines.size()).append(" problems): ");
                for (int i = 0; i < lines.size(); i++) {
                    message.append(i == 0 ? "" : "; ").append(i + 1).append(". ").append(lines.get(i));
                }
            }
            return new ModelLoadException(reason, message.toString(), null);
        }
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

    /** The spec versions this build serves, as a fix names them: "v1 or v2". */
    private static String versions() {
        return String.join(" or ", FeatureSpec.all().stream().map(FeatureSpec::version).toList());
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

    /** Whether the model gives a prediction interval for its {@code t}-th target. */
    public boolean hasInterval(int t) {
        return lowNames.get(t) != null;
    }

    /** The targets it gives a prediction interval for. */
    public List<SensorKind> intervalTargets() {
        return intervalTargets;
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
     * What a run gives: per target (in {@link #targets()} order) one value per row, and the
     * interval's bounds per row, or null for a target without an interval.
     */
    public record Output(float[][] values, float[][] low, float[][] high) {

        /**
         * Whether row {@code r} of target {@code t} has an interval to report: both bounds finite
         * and holding the value (a model outside the trainer's may not guarantee it).
         */
        public boolean interval(int t, int r) {
            if (low[t] == null) {
                return false;
            }
            float v = values[t][r];
            float lo = low[t][r];
            float hi = high[t][r];
            return Float.isFinite(lo) && Float.isFinite(hi) && lo <= v && v <= hi;
        }
    }

    /**
     * Runs the model on {@code rows} feature vectors laid out row after row in {@code input} (a
     * direct buffer, positioned at 0, {@code rows * width} floats). The caller holds a use.
     */
    public Output run(FloatBuffer input, int rows) throws OrtException {
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, new long[] {rows, width()});
             OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            int n = outputNames.size();
            float[][] values = new float[n][];
            float[][] low = new float[n][];
            float[][] high = new float[n][];
            for (int t = 0; t < n; t++) {
                values[t] = read(result, outputNames.get(t), rows);
                if (lowNames.get(t) != null) {
                    low[t] = read(result, lowNames.get(t), rows);
                    high[t] = read(result, highNames.get(t), rows);
                }
            }
            return new Output(values, low, high);
        }
    }

    private static float[] read(OrtSession.Result result, String name, int rows) {
        OnnxValue value = result.get(name).orElseThrow();
        float[] out = new float[rows];
        ((OnnxTensor) value).getFloatBuffer().get(out);
        return out;
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
