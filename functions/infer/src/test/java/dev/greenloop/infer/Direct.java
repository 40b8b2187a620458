package dev.greenloop.infer;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The reference: the registered model.onnx run with ONNX Runtime directly, no infer code. */
final class Direct {

    private Direct() {
    }

    /** Per output name, one value per row; a null feature is NaN. */
    static Map<String, float[]> run(byte[] onnx, List<List<Double>> rows) throws Exception {
        int width = rows.get(0).size();
        float[] flat = new float[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) {
            for (int i = 0; i < width; i++) {
                Double v = rows.get(r).get(i);
                flat[r * width + i] = v == null ? Float.NaN : v.floatValue();
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnx);
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(flat), new long[] {rows.size(), width});
             OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), input))) {
            Map<String, float[]> out = new HashMap<>();
            for (Map.Entry<String, OnnxValue> e : result) {
                float[][] values = (float[][]) e.getValue().getValue();
                float[] column = new float[rows.size()];
                for (int r = 0; r < rows.size(); r++) {
                    column[r] = values[r][0];
                }
                out.put(e.getKey(), column);
            }
            return out;
        }
    }

    /** Seeded vectors of the feature spec's width, a few values missing. */
    static List<List<Double>> vectors(int n, long seed) {
        java.util.Random random = new java.util.Random(seed);
        List<List<Double>> rows = new java.util.ArrayList<>();
        for (int r = 0; r < n; r++) {
            List<Double> row = new java.util.ArrayList<>();
            for (int i = 0; i < dev.greenloop.features.FeatureSpec.V1.size(); i++) {
                row.add(random.nextInt(20) == 0 ? null : Math.round(random.nextGaussian() * 1000) / 100.0 + 20);
            }
            rows.add(row);
        }
        return rows;
    }
}
