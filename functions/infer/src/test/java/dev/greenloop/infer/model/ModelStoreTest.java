package dev.greenloop.infer.model;

import dev.greenloop.infer.InferConfig;
import dev.greenloop.infer.InferException;
import dev.greenloop.infer.TestModels;
import dev.greenloop.infer.model.ModelStore.Lease;
import dev.greenloop.testkit.junit.MlflowExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Loading, checking, swapping and caching models, against the test kit's MLflow server. */
@ExtendWith(MlflowExtension.class)
class ModelStoreTest {

    @TempDir
    Path cache;

    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final List<ModelStore> stores = new ArrayList<>();

    static InferConfig config(URI mlflow, Path cache) {
        Map<String, String> values = new HashMap<>(Map.of(
                "greenloop.infer.mlflow-tracking-uri", mlflow.toString(),
                "greenloop.infer.cache-dir", cache.toString(),
                "greenloop.infer.mlflow-timeout", "5s",
                "greenloop.infer.missing-model-retry", "0s"));
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(InferConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new MapBackedConfigSource("test", values) {
                }).build();
        return config.getConfigMapping(InferConfig.class);
    }

    private ModelStore store(URI mlflow) {
        ModelStore store = new ModelStore(config(mlflow, cache), metrics);
        stores.add(store);
        return store;
    }

    @AfterEach
    void close() {
        stores.forEach(ModelStore::close);
    }

    private static String greenhouse() {
        return "gh-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static URI nothingListening() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }

    private double failures(String reason) {
        return metrics.find("greenloop.infer.model.load.failures").tag("reason", reason).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    /** The model's answer for air temperature when every feature is {@code x}. */
    private static float airTemperature(LoadedModel model, float x) throws Exception {
        FloatBuffer input = dev.greenloop.infer.Scoring.buffer(model.width());
        for (int i = 0; i < model.width(); i++) {
            input.put(x);
        }
        input.flip();
        return model.run(input, 1).values()[model.targets().indexOf(dev.greenloop.events.payload.SensorKind.AIR_TEMPERATURE)][0];
    }

    @Test
    void aChampionIsLoadedCheckedAndAnswers() throws Exception {
        String greenhouse = greenhouse();
        String version = TestModels.register("greenloop-" + greenhouse, "champion", 1.5);
        try (Lease lease = store(TestModels.mlflow()).champion(greenhouse)) {
            LoadedModel model = lease.model();
            assertThat(model.version()).isEqualTo(version);
            assertThat(model.spec().version()).isEqualTo("v1");
            assertThat(model.width()).isEqualTo(149);
            assertThat(model.horizonMinutes()).isEqualTo(15);
            assertThat(model.targets()).extracting(Enum::name)
                    .containsExactlyInAnyOrder("AIR_TEMPERATURE", "RELATIVE_HUMIDITY", "CO2");
            assertThat(airTemperature(model, 20f)).isEqualTo(21.5f);
        }
    }

    @Test
    void mlflowDownAtStartServesTheCachedModel() throws Exception {
        String greenhouse = greenhouse();
        String version = TestModels.register("greenloop-" + greenhouse, "champion", 2.0);
        try (Lease lease = store(TestModels.mlflow()).champion(greenhouse)) {
            assertThat(lease.model().version()).isEqualTo(version);
        }

        ModelStore restarted = store(nothingListening());
        try (Lease lease = restarted.champion(greenhouse)) {
            assertThat(lease.model().version()).isEqualTo(version);
            assertThat(airTemperature(lease.model(), 10f)).isEqualTo(12f);
        }
        assertThat(failures("registry")).isGreaterThanOrEqualTo(1);
    }

    /**
     * A registry recreated (or a model deleted and registered again) numbers its versions from 1
     * again: a cached version of the same number from another run is not served for the new one;
     * the registry's is downloaded and replaces it in the cache.
     */
    @Test
    void aCachedVersionFromAnotherRunIsNotServedForTheRegistrysVersionOfThatNumber() throws Exception {
        String greenhouse = greenhouse();
        String model = "greenloop-" + greenhouse;
        String version = TestModels.register(model, "champion", 1.5);
        // What a former registry's model of the same name and version number left in the cache.
        String other = greenhouse();
        String otherVersion = TestModels.register("greenloop-" + other, "champion", 4.0);
        try (Lease lease = store(TestModels.mlflow()).champion(other)) {
            assertThat(airTemperature(lease.model(), 20f)).isEqualTo(24f);
        }
        Path stale = cache.resolve(model).resolve(version);
        Files.createDirectories(stale);
        Files.copy(cache.resolve("greenloop-" + other).resolve(otherVersion).resolve("model.onnx"), stale.resolve("model.onnx"));
        String otherMeta = Files.readString(cache.resolve("greenloop-" + other).resolve(otherVersion).resolve("version.json"));
        String otherRun = dev.greenloop.events.json.EventJson.mapper().readTree(otherMeta).path("runId").asText();
        Files.writeString(stale.resolve("version.json"), otherMeta.replace("greenloop-" + other, model));

        try (Lease lease = store(TestModels.mlflow()).champion(greenhouse)) {
            assertThat(lease.model().version()).isEqualTo(version);
            assertThat(airTemperature(lease.model(), 20f)).as("the registry's model, not the stale cached one").isEqualTo(21.5f);
        }
        // The cache now holds the registry's version: its run, not the former one.
        assertThat(otherRun).isNotBlank();
        assertThat(Files.readString(stale.resolve("version.json"))).doesNotContain(otherRun).contains("\"runId\"");
    }

    /**
     * A model whose weights mlflow.onnx.log_model stored as external data (a file beside
     * model.onnx, named in it) is downloaded with that file, served, cached with it, and served
     * from the cache when MLflow is down.
     */
    @Test
    void aModelWithExternalDataIsServedAndCachedWithItsFiles() throws Exception {
        String greenhouse = greenhouse();
        String model = "greenloop-" + greenhouse;
        String version = TestModels.register(model, "champion", 0.5, "--external-data", "--targets", "air_temperature");
        byte[] onnx = TestModels.onnx(model, version);
        assertThatThrownBy(() -> ai.onnxruntime.OrtEnvironment.getEnvironment().createSession(onnx).close())
                .as("model.onnx alone does not load: its weights are apart").hasMessageContaining("xternal");

        try (Lease lease = store(TestModels.mlflow()).champion(greenhouse)) {
            assertThat(lease.model().version()).isEqualTo(version);
            assertThat(airTemperature(lease.model(), 20f)).isEqualTo(20.5f);
        }
        Path cached = cache.resolve(model).resolve(version);
        try (var files = java.nio.file.Files.list(cached)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).contains("model.onnx", "version.json")
                    .anySatisfy(name -> assertThat(name).endsWith(".data"));
        }

        try (Lease lease = store(nothingListening()).champion(greenhouse)) {
            assertThat(lease.model().version()).isEqualTo(version);
            assertThat(airTemperature(lease.model(), 10f)).isEqualTo(10.5f);
        }
    }

    @Test
    void noModelAtAllIsNoModelWithTheReason() throws Exception {
        String greenhouse = greenhouse();
        assertThatThrownBy(() -> store(TestModels.mlflow()).champion(greenhouse))
                .isInstanceOfSatisfying(InferException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.getMessage()).contains("greenloop-" + greenhouse).contains("no version")
                            .contains("alias champion");
                });
        assertThatThrownBy(() -> store(nothingListening()).champion(greenhouse))
                .isInstanceOfSatisfying(InferException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.getMessage()).contains("unreachable");
                });
    }

    @Test
    void aCorruptArtifactFailsToLoadAndTheOldModelStays() throws Exception {
        String greenhouse = greenhouse();
        String model = "greenloop-" + greenhouse;
        String good = TestModels.register(model, "champion", 1.0);
        ModelStore store = store(TestModels.mlflow());
        try (Lease lease = store.champion(greenhouse)) {
            assertThat(lease.model().version()).isEqualTo(good);
        }

        String corrupt = TestModels.register(model, "champion", 0, "--corrupt");
        store.refresh(model);

        assertThat(corrupt).isNotEqualTo(good);
        try (Lease lease = store.champion(greenhouse)) {
            assertThat(lease.model().version()).isEqualTo(good);
            assertThat(airTemperature(lease.model(), 5f)).isEqualTo(6f);
        }
        assertThat(failures("onnx")).isEqualTo(1);
    }

    @Test
    void versionsThatDoNotFitTheFeatureSpecAreRefused() throws Exception {
        String greenhouse = greenhouse();
        String model = "greenloop-" + greenhouse;
        String good = TestModels.register(model, "champion", 1.0);
        ModelStore store = store(TestModels.mlflow());
        store.refresh(model);

        TestModels.register(model, "champion", 1.0, "--width", "100");
        store.refresh(model);
        TestModels.register(model, "champion", 1.0, "--spec-version", "v9");
        store.refresh(model);
        TestModels.register(model, "champion", 1.0, "--no-tags");
        store.refresh(model);

        try (Lease lease = store.champion(greenhouse)) {
            assertThat(lease.model().version()).isEqualTo(good);
        }
        assertThat(failures("signature")).isEqualTo(1);
        assertThat(failures("tags")).isEqualTo(2);
    }

    /**
     * The poll: one search finds every moved alias of the replica's models and only those are
     * reloaded; a version that cannot be served is tried once, not at every poll.
     */
    @Test
    void onePollFollowsEveryMovedAliasAndTriesABadVersionOnce() {
        String a = greenhouse();
        String b = greenhouse();
        String firstA = TestModels.register("greenloop-" + a, "champion", 1.0);
        String firstB = TestModels.register("greenloop-" + b, "champion", 1.0);
        ModelStore store = store(TestModels.mlflow());
        store.refreshGreenhouse(a);
        store.refreshGreenhouse(b);

        store.refreshChanged();
        assertThat(version(store, a)).isEqualTo(firstA);

        String secondA = TestModels.register("greenloop-" + a, "champion", 2.0);
        String badB = TestModels.register("greenloop-" + b, "champion", 1.0, "--width", "100");
        store.refreshChanged();
        assertThat(version(store, a)).isEqualTo(secondA);
        assertThat(version(store, b)).as("the bad version is refused, the old one serves").isEqualTo(firstB);
        assertThat(badB).isNotEqualTo(firstB);
        assertThat(failures("signature")).isEqualTo(1);

        store.refreshChanged();
        store.refreshChanged();
        assertThat(failures("signature")).as("not downloaded and tried again while the alias stays").isEqualTo(1);

        String thirdB = TestModels.register("greenloop-" + b, "champion", 3.0);
        store.refreshChanged();
        assertThat(version(store, b)).isEqualTo(thirdB);
    }

    private static String version(ModelStore store, String greenhouse) {
        try (Lease lease = store.champion(greenhouse)) {
            return lease.model().version();
        }
    }

    @Test
    void aSwapClosesTheOldSessionOnlyAfterItsLastUser() throws Exception {
        String greenhouse = greenhouse();
        String model = "greenloop-" + greenhouse;
        String first = TestModels.register(model, "champion", 1.0);
        ModelStore store = store(TestModels.mlflow());
        Lease held = store.champion(greenhouse);
        assertThat(held.model().version()).isEqualTo(first);

        String second = TestModels.register(model, "champion", 3.0);
        store.refresh(model);

        try (Lease now = store.champion(greenhouse)) {
            assertThat(now.model().version()).isEqualTo(second);
            assertThat(airTemperature(now.model(), 1f)).isEqualTo(4f);
        }
        assertThat(held.model().closed()).isFalse();
        assertThat(airTemperature(held.model(), 1f)).isEqualTo(2f);
        held.close();
        assertThat(held.model().closed()).isTrue();
        assertThat(held.model().acquire()).isFalse();
    }

    @Test
    void aChallengerIsLoadedBesideTheChampionAndDroppedWithItsAlias() throws Exception {
        String greenhouse = greenhouse();
        String model = "greenloop-" + greenhouse;
        TestModels.register(model, "champion", 1.0);
        String challenger = TestModels.register(model, "challenger", 5.0);
        ModelStore store = store(TestModels.mlflow());
        store.refresh(model);

        try (Lease lease = store.challenger(greenhouse).orElseThrow()) {
            assertThat(lease.model().version()).isEqualTo(challenger);
            assertThat(lease.model().alias()).isEqualTo("challenger");
        }
        TestModels.deleteAlias(model, "challenger");
        store.refresh(model);
        assertThat(store.challenger(greenhouse)).isEmpty();
    }
}
