package dev.greenloop.infer.model;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.greenloop.clients.ModelVersionInfo;
import dev.greenloop.events.json.EventJson;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Models on local disk, so that a replica that restarts while MLflow is down still serves:
 * {@code <dir>/<model>/<version>/model.onnx} with {@code version.json} beside it, and one file
 * per alias naming the version it pointed at when last seen. Writes go to a temporary file and
 * are renamed, so a crash leaves no half-written model. A cache that cannot be written is
 * logged and skipped: serving does not depend on it.
 */
public class ModelCache {

    private static final Logger LOG = Logger.getLogger(ModelCache.class);

    /** A cached model: its bytes and what the registry said about it. */
    public record Entry(ModelVersionInfo info, byte[] onnx) {
    }

    private final Path dir;

    public ModelCache(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Optional<byte[]> onnx(String model, String version) {
        Path file = versionDir(model, version).resolve("model.onnx");
        try {
            return Files.exists(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
        } catch (IOException e) {
            LOG.warnf("Cannot read cached model %s: %s", file, e.getMessage());
            return Optional.empty();
        }
    }

    /** The model an alias pointed at when last seen, if it is still on disk. */
    public Optional<Entry> lastSeen(String model, String alias) {
        try {
            Path pointer = modelDir(model).resolve(alias + ".alias");
            if (!Files.exists(pointer)) {
                return Optional.empty();
            }
            String version = Files.readString(pointer, StandardCharsets.UTF_8).trim();
            Path meta = versionDir(model, version).resolve("version.json");
            Optional<byte[]> onnx = onnx(model, version);
            if (!Files.exists(meta) || onnx.isEmpty()) {
                return Optional.empty();
            }
            Map<String, Object> m = EventJson.mapper().readValue(meta.toFile(), new TypeReference<>() {
            });
            @SuppressWarnings("unchecked")
            Map<String, String> tags = (Map<String, String>) m.getOrDefault("tags", Map.of());
            return Optional.of(new Entry(new ModelVersionInfo(model, version, (String) m.get("runId"), tags), onnx.get()));
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Cannot read the cached %s of %s: %s", alias, model, e.getMessage());
            return Optional.empty();
        }
    }

    public void store(ModelVersionInfo info, byte[] onnx) {
        try {
            Path vdir = versionDir(info.modelName(), info.version());
            Files.createDirectories(vdir);
            if (!Files.exists(vdir.resolve("model.onnx"))) {
                write(vdir.resolve("model.onnx"), onnx);
            }
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("model", info.modelName());
            meta.put("version", info.version());
            meta.put("runId", info.runId());
            meta.put("tags", info.tags());
            write(vdir.resolve("version.json"), EventJson.mapper().writeValueAsBytes(meta));
        } catch (IOException e) {
            LOG.warnf("Cannot cache %s version %s under %s: %s", info.modelName(), info.version(), dir, e.getMessage());
        }
    }

    public void remember(String model, String alias, String version) {
        try {
            Files.createDirectories(modelDir(model));
            write(modelDir(model).resolve(alias + ".alias"), version.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.warnf("Cannot record alias %s of %s under %s: %s", alias, model, dir, e.getMessage());
        }
    }

    public void forget(String model, String alias) {
        try {
            Files.deleteIfExists(modelDir(model).resolve(alias + ".alias"));
        } catch (IOException e) {
            LOG.warnf("Cannot forget alias %s of %s: %s", alias, model, e.getMessage());
        }
    }

    private Path modelDir(String model) {
        return dir.resolve(safe(model));
    }

    private Path versionDir(String model, String version) {
        return modelDir(model).resolve(safe(version));
    }

    private static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static void write(Path target, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), ".tmp-", "");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
