package dev.greenloop.clients;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A model version's ONNX files: {@code model.onnx} and, for a model whose weights are stored as
 * external data (the default of {@code mlflow.onnx.log_model} for tensors of 1 KiB or more), the
 * files beside it that it names, by file name. ONNX Runtime reads those relative to the model's
 * directory, so a model with external files is loaded from a directory, not from bytes.
 *
 * @param onnx     the bytes of {@code model.onnx}
 * @param external the files beside it, by name (empty for a self-contained model)
 */
public record ModelFiles(byte[] onnx, Map<String, byte[]> external) {

    /** A file name ONNX Runtime may be given: no directories, nothing hidden or odd. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,199}");

    public ModelFiles {
        external = new TreeMap<>(external);
        for (String name : external.keySet()) {
            if (!safeName(name) || name.equals("model.onnx")) {
                throw new IllegalArgumentException("not a file name for a model's external data: " + name);
            }
        }
        external = java.util.Collections.unmodifiableMap(external);
    }

    /** A self-contained model. */
    public static ModelFiles of(byte[] onnx) {
        return new ModelFiles(onnx, Map.of());
    }

    /** What is done with the model's files in a directory: given the path of its model.onnx. */
    @FunctionalInterface
    public interface InDirectory<T, E extends Exception> {
        T apply(java.nio.file.Path modelOnnx) throws E;
    }

    /**
     * Writes model.onnx and its external files to a fresh temporary directory, gives {@code use}
     * the path of model.onnx (ONNX Runtime reads the external files relative to it), and deletes
     * the directory afterwards, whatever happened. A session created from the path keeps what it
     * read in memory.
     */
    public <T, E extends Exception> T inDirectory(InDirectory<T, E> use) throws E, java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("greenloop-model-");
        try {
            for (Map.Entry<String, byte[]> file : external.entrySet()) {
                java.nio.file.Files.write(dir.resolve(file.getKey()), file.getValue());
            }
            java.nio.file.Path model = java.nio.file.Files.write(dir.resolve("model.onnx"), onnx);
            return use.apply(model);
        } finally {
            try (java.util.stream.Stream<java.nio.file.Path> paths = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path p : paths.toList()) {
                    java.nio.file.Files.deleteIfExists(p);
                }
            }
            java.nio.file.Files.deleteIfExists(dir);
        }
    }

    public static boolean safeName(String name) {
        return NAME.matcher(name).matches();
    }

    /** Whether the model names {@code file}: external data locations are stored as plain strings in model.onnx. */
    public static boolean names(byte[] onnx, String file) {
        byte[] needle = file.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + needle.length <= onnx.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (onnx[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
