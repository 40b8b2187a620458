package dev.greenloop.infer.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.greenloop.clients.MlflowCredentials;
import dev.greenloop.clients.MlflowModels;
import dev.greenloop.clients.ModelFiles;
import dev.greenloop.clients.ModelVersionInfo;
import dev.greenloop.clients.Settings;
import dev.greenloop.infer.InferConfig;
import dev.greenloop.infer.InferException;
import dev.greenloop.infer.InferException.Kind;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The models this replica serves: per greenhouse, the version alias {@code champion} points at
 * and, for shadow scoring, {@code challenger}. A model is resolved in the registry, read from
 * the local cache or downloaded through MLflow's artifact proxy, loaded and checked, then swapped
 * in atomically: requests in flight finish on the old session, which closes after them. A
 * failed load keeps the old model. When MLflow is unreachable and nothing is loaded yet, the
 * model the alias pointed at when last seen is served from the cache.
 */
@ApplicationScoped
public class ModelStore {

    public static final String CHAMPION = "champion";
    public static final String CHALLENGER = "challenger";
    private static final Logger LOG = Logger.getLogger(ModelStore.class);

    /** A use of a model; closing it lets a retired model close its session. */
    public static final class Lease implements AutoCloseable {
        private final LoadedModel model;

        Lease(LoadedModel model) {
            this.model = model;
        }

        public LoadedModel model() {
            return model;
        }

        @Override
        public void close() {
            model.release();
        }
    }

    private final class Slot {
        final String model;
        final AtomicReference<LoadedModel> champion = new AtomicReference<>();
        final AtomicReference<LoadedModel> challenger = new AtomicReference<>();
        final Object lock = new Object();
        volatile long nextMissingCheck;
        volatile String problem = "not looked up yet";
        /** The version each alias pointed at when the registry was last read (absent: no alias). */
        final Map<String, String> seen = new ConcurrentHashMap<>();

        Slot(String model) {
            this.model = model;
            gauge(model, CHAMPION, champion);
            gauge(model, CHALLENGER, challenger);
        }

        AtomicReference<LoadedModel> ref(String alias) {
            return CHAMPION.equals(alias) ? champion : challenger;
        }
    }

    private final InferConfig config;
    private final MlflowModels mlflow;
    private final ModelCache cache;
    private final MeterRegistry metrics;
    private final OrtEnvironment env;
    private final OrtSession.SessionOptions options;
    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

    @Inject
    public ModelStore(InferConfig config, MeterRegistry metrics) {
        this(config, new MlflowModels(java.net.URI.create(config.mlflowTrackingUri()), config.mlflowTimeout(),
                        config.maxModelBytes(), MlflowCredentials.fromSettings(Settings.fromConfig())),
                new ModelCache(Path.of(config.cacheDir())), metrics);
    }

    public ModelStore(InferConfig config, MlflowModels mlflow, ModelCache cache, MeterRegistry metrics) {
        this.config = config;
        this.mlflow = mlflow;
        this.cache = cache;
        this.metrics = metrics;
        this.env = OrtEnvironment.getEnvironment();
        try {
            this.options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(config.onnx().intraOpThreads());
            options.setInterOpNumThreads(config.onnx().interOpThreads());
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime session options: " + e.getMessage(), e);
        }
    }

    public String modelName(String greenhouseId) {
        return config.modelNamePrefix() + greenhouseId;
    }

    /**
     * The champion of the greenhouse, loaded now if this replica has none yet (at most every
     * {@code missing-model-retry}). Close the lease when done.
     *
     * @throws InferException {@code NO_MODEL} when there is no servable champion
     */
    public Lease champion(String greenhouseId) {
        Slot slot = slot(modelName(greenhouseId));
        for (int attempt = 0; attempt < 3; attempt++) {
            LoadedModel model = slot.champion.get();
            if (model == null) {
                loadIfDue(slot);
                model = slot.champion.get();
            }
            if (model == null) {
                throw new InferException(Kind.NO_MODEL, "no champion model for greenhouse " + greenhouseId + " ("
                        + slot.model + "@" + CHAMPION + "): " + slot.problem);
            }
            if (model.acquire()) {
                return new Lease(model);
            }
            // Swapped and closed between get and acquire: take the new one.
        }
        throw new InferException(Kind.MODEL_SWAPPING, "the model of greenhouse " + greenhouseId + " is being replaced; retry");
    }

    /** The challenger of the greenhouse, when one is loaded. Never loads. */
    public Optional<Lease> challenger(String greenhouseId) {
        Slot slot = slots.get(modelName(greenhouseId));
        if (slot == null || !config.shadow()) {
            return Optional.empty();
        }
        LoadedModel model = slot.challenger.get();
        return model != null && model.acquire() ? Optional.of(new Lease(model)) : Optional.empty();
    }

    /** The models loaded now, for {@code GET /v1/models}. */
    public Collection<LoadedModel> loaded() {
        return slots.values().stream().flatMap(s -> java.util.stream.Stream.of(s.champion.get(), s.challenger.get()))
                .filter(java.util.Objects::nonNull).toList();
    }

    /** Checks both aliases of the greenhouse's model in the registry and swaps in what changed. */
    public void refreshGreenhouse(String greenhouseId) {
        refresh(modelName(greenhouseId));
    }

    public void refresh(String modelName) {
        Slot slot = slot(modelName);
        synchronized (slot.lock) {
            refresh(slot, CHAMPION);
            if (config.shadow()) {
                refresh(slot, CHALLENGER);
            }
            if (slot.champion.get() == null) {
                slot.nextMissingCheck = System.nanoTime() + config.missingModelRetry().toNanos();
            }
        }
    }

    /**
     * Checks every model this replica has been asked for with one registry search, and reloads
     * (as {@link #refresh(String)}) only those whose aliases moved, appeared or went. When the
     * search fails, nothing changes: the models keep serving and the next poll asks again.
     */
    public void refreshChanged() {
        if (slots.isEmpty()) {
            return;
        }
        Map<String, Map<String, String>> aliases;
        try {
            aliases = mlflow.aliases(config.modelNamePrefix());
        } catch (MlflowModels.RegistryException e) {
            LOG.debugf("Alias check skipped: %s", e.getMessage());
            return;
        }
        for (Slot slot : slots.values()) {
            Map<String, String> now = aliases.getOrDefault(slot.model, Map.of());
            // Against what the registry said last time, not what is loaded: a version that cannot
            // be served is not downloaded again at every poll.
            boolean moved = !java.util.Objects.equals(slot.seen.get(CHAMPION), now.get(CHAMPION))
                    || config.shadow() && !java.util.Objects.equals(slot.seen.get(CHALLENGER), now.get(CHALLENGER));
            if (moved) {
                try {
                    refresh(slot.model);
                } catch (RuntimeException e) {
                    LOG.warnf(e, "Refreshing %s failed", slot.model);
                }
            }
        }
    }

    private void loadIfDue(Slot slot) {
        synchronized (slot.lock) {
            if (slot.champion.get() == null && System.nanoTime() - slot.nextMissingCheck >= 0) {
                refresh(slot.model);
            }
        }
    }

    private Slot slot(String model) {
        return slots.computeIfAbsent(model, Slot::new);
    }

    private void refresh(Slot slot, String alias) {
        AtomicReference<LoadedModel> ref = slot.ref(alias);
        LoadedModel current = ref.get();
        Optional<ModelVersionInfo> resolved;
        try {
            resolved = mlflow.resolve(slot.model, alias);
        } catch (MlflowModels.RegistryException e) {
            failed(slot, alias, "registry", e.getMessage());
            if (current == null) {
                cache.lastSeen(slot.model, alias).ifPresent(entry -> {
                    LOG.warnf("MLflow is unreachable; serving %s version %s as %s from the cache %s", slot.model,
                            entry.info().version(), alias, cache.dir());
                    load(slot, alias, entry.info(), entry.files(), "cache");
                });
            }
            return;
        }
        if (resolved.isEmpty()) {
            slot.seen.remove(alias);
            if (current != null && CHALLENGER.equals(alias)) {
                ref.set(null);
                current.retire();
                cache.forget(slot.model, alias);
                LOG.infof("%s has no challenger any more; shadow scoring of version %s stopped", slot.model, current.version());
            } else if (current != null) {
                LOG.warnf("%s has no %s alias in the registry; still serving version %s", slot.model, alias, current.version());
            } else if (CHAMPION.equals(alias)) {
                slot.problem = "the registry has no version of " + slot.model + " with alias " + CHAMPION;
            }
            return;
        }
        ModelVersionInfo info = resolved.get();
        slot.seen.put(alias, info.version());
        if (current != null && current.version().equals(info.version())) {
            return;
        }
        Optional<ModelFiles> cached = cache.files(info);
        if (cached.isPresent() && load(slot, alias, info, cached.get(), "cache")) {
            cache.remember(slot.model, alias, info.version());
            return;
        }
        ModelFiles files;
        try {
            files = mlflow.downloadModel(slot.model, info.version());
        } catch (MlflowModels.RegistryException e) {
            failed(slot, alias, "registry", e.getMessage());
            return;
        }
        if (load(slot, alias, info, files, "mlflow")) {
            cache.store(info, files);
            cache.remember(slot.model, alias, info.version());
        }
    }

    /** Loads, checks and swaps in; false (old model kept) when the version cannot be served. */
    private boolean load(Slot slot, String alias, ModelVersionInfo info, ModelFiles files, String source) {
        long started = System.nanoTime();
        LoadedModel loaded;
        try {
            loaded = LoadedModel.load(env, options, info, alias, files);
        } catch (ModelLoadException e) {
            Timer.builder("greenloop.infer.model.load").tag("outcome", "failure").tag("source", source)
                    .register(metrics).record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
            failed(slot, alias, e.reason(), e.getMessage());
            return false;
        }
        Timer.builder("greenloop.infer.model.load").tag("outcome", "success").tag("source", source)
                .register(metrics).record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        LoadedModel old = slot.ref(alias).getAndSet(loaded);
        if (old != null) {
            old.retire();
        }
        if (CHAMPION.equals(alias)) {
            slot.problem = "serving version " + info.version();
        }
        LOG.infof("Serving %s version %s as %s (%s, %d features, %s +%d min; was %s), loaded from %s in %d ms",
                slot.model, info.version(), alias, loaded.spec().version(), loaded.width(), loaded.targets(),
                loaded.horizonMinutes(), old == null ? "none" : "version " + old.version(), source,
                (System.nanoTime() - started) / 1_000_000);
        return true;
    }

    private void failed(Slot slot, String alias, String reason, String message) {
        metrics.counter("greenloop.infer.model.load.failures", "model", slot.model, "reason", reason).increment();
        LoadedModel current = slot.ref(alias).get();
        if (CHAMPION.equals(alias) && current == null) {
            slot.problem = message;
        }
        LOG.warnf("Cannot load the %s of %s: %s%s", alias, slot.model, message,
                current == null ? "" : "; still serving version " + current.version());
    }

    private void gauge(String model, String alias, AtomicReference<LoadedModel> ref) {
        Gauge.builder("greenloop.infer.model.version", ref, r -> {
                    LoadedModel m = r.get();
                    if (m == null) {
                        return Double.NaN;
                    }
                    try {
                        return Double.parseDouble(m.version());
                    } catch (NumberFormatException e) {
                        return Double.NaN;
                    }
                }).tag("model", model).tag("alias", alias)
                .description("The registry version served, NaN when none").register(metrics);
        Gauge.builder("greenloop.infer.model.created", ref, r -> {
                    LoadedModel m = r.get();
                    return m == null || m.info().created() == null ? Double.NaN : m.info().created().getEpochSecond();
                }).tag("model", model).tag("alias", alias).baseUnit("seconds")
                .description("When the registry created the version served (Unix time), NaN when none").register(metrics);
    }

    @PreDestroy
    void close() {
        for (Slot slot : slots.values()) {
            Optional.ofNullable(slot.champion.getAndSet(null)).ifPresent(LoadedModel::retire);
            Optional.ofNullable(slot.challenger.getAndSet(null)).ifPresent(LoadedModel::retire);
        }
        try {
            options.close();
        } catch (RuntimeException e) {
            LOG.debugf("Closing session options: %s", e.getMessage());
        }
    }
}
