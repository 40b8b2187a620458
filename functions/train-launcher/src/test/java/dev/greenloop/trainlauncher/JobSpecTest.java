package dev.greenloop.trainlauncher;

import dev.greenloop.trainlauncher.launch.JobSpecs;
import dev.greenloop.trainlauncher.launch.KubernetesJobLauncher;
import dev.greenloop.trainlauncher.launch.TrainingPlan;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The Job train-launcher creates, against fabric8's mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class JobSpecTest {

    static KubernetesClient client;

    static TrainLauncherConfig config(Map<String, String> values) {
        Map<String, String> all = new HashMap<>(Map.of(
                "greenloop.train-launcher.mlflow-tracking-uri", "http://mlflow.greenloop:5000",
                "greenloop.train-launcher.webhdfs-url", "http://namenode.hdfs:9870",
                "greenloop.train-launcher.job.image", "registry.example/greenloop/trainer:1.2.3",
                "greenloop.train-launcher.job.namespace", "greenloop"));
        all.putAll(values);
        // Quarkus' duration format ("2h") outside Quarkus.
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(TrainLauncherConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new MapBackedConfigSource("test", all) {
                }).build();
        return config.getConfigMapping(TrainLauncherConfig.class);
    }

    static TrainingPlan plan(String cause) {
        return new TrainingPlan("train-gh-1-0123456789", "gh-1", "0a1b2c3d4e5f60718293a4b5c6d7e8f9", "greenloop-gh-1",
                "ds-gh-1-abc", "{\"datasetId\":\"ds-gh-1-abc\"}", cause, "dataset_ready");
    }

    @Test
    void gpuJobCarriesImageEnvironmentLimitsSchedulingFailurePolicyLabelsAndOwner() {
        client.configMaps().inNamespace("greenloop").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("greenloop-training").withNamespace("greenloop").endMetadata().build()).create();
        TrainLauncherConfig config = config(Map.of(
                "greenloop.train-launcher.job.gpus", "1",
                "greenloop.train-launcher.job.node-selector.\"nvidia.com/gpu.present\"", "true",
                "greenloop.train-launcher.job.tolerations", "dedicated=training:NoSchedule"));
        KubernetesJobLauncher launcher = new KubernetesJobLauncher(client, new JobSpecs(config), config);

        launcher.launch(plan("event-1"));

        Job job = client.batch().v1().jobs().inNamespace("greenloop").withName("train-gh-1-0123456789").get();
        assertThat(job).isNotNull();
        assertThat(job.getMetadata().getLabels()).containsEntry("app.kubernetes.io/part-of", "greenloop")
                .containsEntry("app.kubernetes.io/component", "trainer")
                .containsEntry("greenloop.dev/greenhouse", "gh-1")
                .containsEntry("greenloop.dev/run-id", "0a1b2c3d4e5f60718293a4b5c6d7e8f9")
                .containsKey("greenloop.dev/cause");
        assertThat(job.getMetadata().getAnnotations()).containsEntry("greenloop.dev/causation-id", "event-1")
                .containsEntry("greenloop.dev/dataset-id", "ds-gh-1-abc")
                .containsEntry("greenloop.dev/model-name", "greenloop-gh-1");
        assertThat(job.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("ConfigMap");
            assertThat(o.getName()).isEqualTo("greenloop-training");
        });
        assertThat(job.getSpec().getBackoffLimit()).isEqualTo(2);
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(7200L);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(86400);
        List<PodFailurePolicyRule> rules = job.getSpec().getPodFailurePolicy().getRules();
        assertThat(rules.get(0).getAction()).isEqualTo("FailJob");
        assertThat(rules.get(0).getOnExitCodes().getContainerName()).isEqualTo("trainer");
        assertThat(rules.get(0).getOnExitCodes().getOperator()).isEqualTo("In");
        assertThat(rules.get(0).getOnExitCodes().getValues()).containsExactly(2);
        assertThat(rules.get(1).getAction()).isEqualTo("Ignore");

        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("greenloop.dev/greenhouse", "gh-1");
        assertThat(pod.getServiceAccountName()).isEqualTo("greenloop-trainer");
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
        assertThat(pod.getTolerations()).extracting(t -> t.getKey() + "/" + t.getOperator() + "/" + t.getEffect())
                .containsExactlyInAnyOrder("dedicated/Equal/NoSchedule", "nvidia.com/gpu/Exists/NoSchedule");
        Container c = pod.getContainers().get(0);
        assertThat(c.getName()).isEqualTo("trainer");
        assertThat(c.getImage()).isEqualTo("registry.example/greenloop/trainer:1.2.3");
        assertThat(c.getArgs()).containsExactly("--device", "cuda");
        Map<String, String> env = c.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        assertThat(c.getEnv().stream().filter(e -> e.getValueFrom() != null))
                .extracting(e -> e.getName() + "=" + e.getValueFrom().getSecretKeyRef().getName() + "/"
                        + e.getValueFrom().getSecretKeyRef().getKey() + (e.getValueFrom().getSecretKeyRef().getOptional()
                        ? " (optional)" : ""))
                .containsExactly("MLFLOW_TRACKING_USERNAME=greenloop-trainer-mlflow/username (optional)",
                        "MLFLOW_TRACKING_PASSWORD=greenloop-trainer-mlflow/password (optional)",
                        "MLFLOW_TRACKING_TOKEN=greenloop-trainer-mlflow/token (optional)");
        assertThat(env).containsEntry("MLFLOW_TRACKING_URI", "http://mlflow.greenloop:5000")
                .containsEntry("GREENLOOP_RUN_ID", "0a1b2c3d4e5f60718293a4b5c6d7e8f9")
                .containsEntry("GREENLOOP_MODEL_NAME", "greenloop-gh-1")
                .containsEntry("GREENLOOP_MANIFEST", "{\"datasetId\":\"ds-gh-1-abc\"}")
                .containsEntry("GREENLOOP_WEBHDFS_URL", "http://namenode.hdfs:9870")
                .containsEntry("GREENLOOP_TARGETS", "air_temperature,relative_humidity,co2")
                .containsEntry("GREENLOOP_HORIZON_MINUTES", "15")
                .containsEntry("GREENLOOP_REQUIRED_GROUPS", "weather,actuators")
                .containsEntry("GREENLOOP_MAX_MISSING_SHARE", "0.1")
                .containsEntry("GREENLOOP_GATE_MARGIN", "0.1")
                .containsEntry("GREENLOOP_INTERVAL", "0.8")
                .containsEntry("GREENLOOP_SEARCH_SECONDS", "600")
                .containsEntry("GREENLOOP_SEARCH_TRIALS", "40");
        assertThat(c.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"))
                .containsEntry("memory", new Quantity("8Gi"));
        assertThat(c.getResources().getRequests()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    }

    @Test
    void aRedeliveredEventCreatesNoSecondJob() {
        TrainLauncherConfig config = config(Map.of());
        KubernetesJobLauncher launcher = new KubernetesJobLauncher(client, new JobSpecs(config), config);

        launcher.launch(plan("event-2"));
        launcher.launch(plan("event-2"));

        assertThat(client.batch().v1().jobs().inNamespace("greenloop").list().getItems())
                .extracting(j -> j.getMetadata().getName()).containsOnlyOnce("train-gh-1-0123456789");
    }

    /**
     * The Job train-launcher builds passes the admission policy that holds its Jobs
     * (knative/components/training-job-policy): the trainer image, the greenloop-trainer account,
     * no Secret mounted, none read but the trainer's MLflow credentials, no other container.
     */
    @Test
    void theJobPassesTheTrainingJobAdmissionPolicy() throws Exception {
        // The image train-launcher deploys with (TrainLauncherConfig.Job#image).
        Job job = new JobSpecs(config(Map.of("greenloop.train-launcher.job.image", "ghcr.io/greenloop/trainer:0.1.0")))
                .job(plan("event-4"), "greenloop", null);
        var pod = job.getSpec().getTemplate().getSpec();
        String policy = java.nio.file.Files.readString(java.nio.file.Path.of(
                "../../knative/components/training-job-policy/policy.yaml"));

        assertThat(policy).contains("serviceAccountName == '" + pod.getServiceAccountName() + "'");
        assertThat(pod.getContainers()).singleElement().satisfies(c -> {
            assertThat(policy).contains("c.image.startsWith('" + c.getImage().substring(0, c.getImage().indexOf(':') + 1) + "')");
            assertThat(c.getEnvFrom()).allSatisfy(e -> assertThat(e.getSecretRef()).isNull());
            // The one Secret the policy lets a Job read: the trainer's MLflow credentials.
            assertThat(c.getEnv()).allSatisfy(e -> assertThat(e.getValueFrom() == null || e.getValueFrom().getSecretKeyRef() == null
                    || JobSpecs.MLFLOW_SECRET.equals(e.getValueFrom().getSecretKeyRef().getName())).as(e.getName()).isTrue());
            assertThat(policy).contains("e.valueFrom.secretKeyRef.name == '" + JobSpecs.MLFLOW_SECRET + "'");
        });
        assertThat(pod.getInitContainers()).isEmpty();
        assertThat(pod.getVolumes()).allSatisfy(v -> {
            assertThat(v.getSecret()).isNull();
            assertThat(v.getProjected()).isNull();
        });
    }

    @Test
    void cpuJobAsksForNoGpu() {
        TrainLauncherConfig config = config(Map.of());

        Job job = new JobSpecs(config).job(plan("event-3"), "greenloop", null);

        Container c = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
        assertThat(c.getArgs()).containsExactly("--device", "cpu");
        assertThat(job.getSpec().getTemplate().getSpec().getTolerations()).isEmpty();
        assertThat(job.getMetadata().getOwnerReferences()).isEmpty();
    }

    @Test
    void jobNamesAreValidAndStable() {
        String name = dev.greenloop.trainlauncher.launch.JobNames.of("Greenhouse_North.Section:7-of-a-very-long-site-name", "e1");

        assertThat(name).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?").hasSizeLessThanOrEqualTo(63)
                .isEqualTo(dev.greenloop.trainlauncher.launch.JobNames.of("Greenhouse_North.Section:7-of-a-very-long-site-name", "e1"))
                .isNotEqualTo(dev.greenloop.trainlauncher.launch.JobNames.of("Greenhouse_North.Section:7-of-a-very-long-site-name", "e2"));
    }
}
