package dev.greenloop.infer.model;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.greenloop.clients.ModelFiles;
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
 * {@code <dir>/<model>/<version>/model.onnx} with its external data files and
 * {@code version.json} (which lists them) beside it, and one file per alias naming the version
 * it pointed at when last seen. Writes go to a temporary file and
 * are renamed, so a crash leaves no half-written model. A cache that cannot be written is
 * logged and skipped: serving does not depend on it.
 */
public class ModelCache {

    private static final Logger LOG = Logger.getLogger(ModelCache.class);

    /** A cached model: its files and what the registry said about it. */
    public record Entry(ModelVersionInfo info, ModelFiles files) {
    }

    private final Path dir;

    public ModelCache(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /**
     * The files of the version the registry describes as {@code info}, when they are on disk and
     * were cached from the same run: a registry that was recreated (or a model deleted and
     * registered again) numbers its versions from 1 again, and a cached "version 1" of another
     * run must not be served for the new one. Such an entry is left to be overwritten.
     */
    public Optional<ModelFiles> files(ModelVersionInfo info) {
        Path meta = versionDir(info.modelName(), info.version()).resolve("version.json");
        if (info.runId() != null && Files.exists(meta)) {
            try {
                String cachedRun = EventJson.mapper().readTree(meta.toFile()).path("runId").asText(null);
                if (cachedRun != null && !cachedRun.equals(info.runId())) {
                    LOG.infof("The cached version %s of %s is from run %s, the registry's from run %s: not using it",
                            info.version(), info.modelName(), cachedRun, info.runId());
                    return Optional.empty();
                }
            } catch (IOException | RuntimeException e) {
                LOG.warnf("Cannot read cached model metadata %s: %s", meta, e.getMessage());
                return Optional.empty();
            }
        }
        return files(info.modelName(), info.version());
    }

    /** The version's files, when model.onnx and every external file {@code version.json} lists are on disk. */
    public Optional<ModelFiles> files(String model, String version) {
        Path vdir = versionDir(model, version);
        Path file = vdir.resolve("model.onnx");
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            Map<String, byte[]> external = new LinkedHashMap<>();
            Path meta = vdir.resolve("version.json");
            if (Files.exists(meta)) {
                for (com.fasterxml.jackson.databind.JsonNode name : EventJson.mapper().readTree(meta.toFile()).path("external")) {
                    if (!ModelFiles.safeName(name.asText())) {
                        return Optional.empty();
                    }
                    external.put(name.asText(), Files.readAllBytes(vdir.resolve(name.asText())));
                }
            }
            return Optional.of(new ModelFiles(Files.readAllBytes(file), external));
        } catch (IOException | RuntimeException e) {
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
            Optional<ModelFiles> files = files(model, version);
            if (!Files.exists(meta) || files.isEmpty()) {
                return Optional.empty();
            }
            Map<String, Object> m = EventJson.mapper().readValue(meta.toFile(), new TypeReference<>() {
            });
            @SuppressWarnings("unchecked")
            Map<String, String> tags = (Map<String, String>) m.getOrDefault("tags", Map.of());
            return Optional.of(new Entry(new ModelVersionInfo(model, version, (String) m.get("runId"), tags), files.get()));
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Cannot read the cached %s of %s: %s", alias, model, e.getMessage());
            return Optional.empty();
        }
    }

    public void store(ModelVersionInfo info, ModelFiles files) {
        try {
            Path vdir = versionDir(info.modelName(), info.version());
            Files.createDirectories(vdir);
            // External files first, then model.onnx, then version.json with the run: an entry
            // cut short, or left by another run of the same version number, is not served (see
            // files(ModelVersionInfo)) and is overwritten here.
            for (Map.Entry<String, byte[]> file : files.external().entrySet()) {
                write(vdir.resolve(file.getKey()), file.getValue());
            }
            write(vdir.resolve("model.onnx"), files.onnx());
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("model", info.modelName());
            meta.put("version", info.version());
            meta.put("runId", info.runId());
            meta.put("tags", info.tags());
            meta.put("external", files.external().keySet());
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
