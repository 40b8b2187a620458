package dev.greenloop.trainlauncher.launch;

import dev.greenloop.trainlauncher.TrainLauncherConfig;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training Job: the trainer image with the run's environment, a GPU when configured (with the
 * node selector and tolerations that reach GPU nodes), bounded retries and run time, a
 * {@code podFailurePolicy} that fails the Job at once when the trainer exits with code 2 (bad
 * input, not worth retrying), collection after it finished, labels that link Job, run and
 * causing event, and a dedicated ServiceAccount. Both launchers use it: the local one reports
 * its child process as this Job.
 */
@ApplicationScoped
public class JobSpecs {

    public static final String CONTAINER = "trainer";
    /**
     * The one Secret a training Job may read (the admission policy allows no other): the
     * trainer's MLflow credentials, keys {@code username}, {@code password} and {@code token},
     * each optional, given to MLflow's client as its own variables.
     */
    public static final String MLFLOW_SECRET = "greenloop-trainer-mlflow";
    private static final List<Map.Entry<String, String>> MLFLOW_CREDENTIALS = List.of(
            Map.entry("MLFLOW_TRACKING_USERNAME", "username"), Map.entry("MLFLOW_TRACKING_PASSWORD", "password"),
            Map.entry("MLFLOW_TRACKING_TOKEN", "token"));
    public static final String PART_OF = "app.kubernetes.io/part-of";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String GREENHOUSE_LABEL = "greenloop.dev/greenhouse";
    public static final String RUN_LABEL = "greenloop.dev/run-id";
    public static final String CAUSE_LABEL = "greenloop.dev/cause";
    public static final String GREENHOUSE_ANNOTATION = "greenloop.dev/greenhouse-id";
    public static final String MODEL_ANNOTATION = "greenloop.dev/model-name";
    public static final String DATASET_ANNOTATION = "greenloop.dev/dataset-id";
    public static final String CAUSATION_ANNOTATION = "greenloop.dev/causation-id";
    public static final String REASON_ANNOTATION = "greenloop.dev/reason";
    /** The trainer's exit code for bad input: the Job fails without retries. */
    public static final int EXIT_BAD_INPUT = 2;

    private final TrainLauncherConfig config;

    public JobSpecs(TrainLauncherConfig config) {
        this.config = config;
    }

    /** The trainer's environment (the local launcher passes the same). */
    public Map<String, String> environment(TrainingPlan plan) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MLFLOW_TRACKING_URI", config.mlflowTrackingUri());
        env.put("GREENLOOP_RUN_ID", plan.runId());
        env.put("GREENLOOP_MODEL_NAME", plan.modelName());
        env.put("GREENLOOP_MANIFEST", plan.manifest());
        env.put("GREENLOOP_WEBHDFS_URL", config.webhdfsUrl());
        env.put("GREENLOOP_TARGETS", String.join(",", config.targets()));
        env.put("GREENLOOP_HORIZON_MINUTES", Integer.toString(config.horizonMinutes()));
        env.put("GREENLOOP_REQUIRED_GROUPS", String.join(",", config.requiredGroups()));
        env.put("GREENLOOP_MAX_MISSING_SHARE", Double.toString(config.maxMissingShare()));
        // The trainer leaves out of the version the targets the gate would refuse.
        env.put("GREENLOOP_GATE_MARGIN", Double.toString(config.gate().persistenceMargin()));
        env.put("GREENLOOP_INTERVAL", Double.toString(config.interval()));
        env.put("GREENLOOP_SEARCH_SECONDS", Integer.toString(config.searchSeconds()));
        env.put("GREENLOOP_SEARCH_TRIALS", Integer.toString(config.searchTrials()));
        return env;
    }

    public List<String> arguments() {
        return List.of("--device", config.job().gpus() > 0 ? "cuda" : "cpu");
    }

    public Map<String, String> labels(TrainingPlan plan) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(PART_OF, "greenloop");
        labels.put(COMPONENT, "trainer");
        labels.put(GREENHOUSE_LABEL, JobNames.labelValue(plan.greenhouseId()));
        labels.put(RUN_LABEL, JobNames.labelValue(plan.runId()));
        labels.put(CAUSE_LABEL, JobNames.hash(plan.causationId()).substring(0, 16));
        return labels;
    }

    public Map<String, String> annotations(TrainingPlan plan) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(GREENHOUSE_ANNOTATION, plan.greenhouseId());
        annotations.put(MODEL_ANNOTATION, plan.modelName());
        annotations.put(DATASET_ANNOTATION, plan.datasetId());
        annotations.put(CAUSATION_ANNOTATION, plan.causationId());
        annotations.put(REASON_ANNOTATION, plan.reason());
        return annotations;
    }

    /** The Job for {@code plan} in {@code namespace}, owned by {@code owner} when given. */
    public Job job(TrainingPlan plan, String namespace, OwnerReference owner) {
        TrainLauncherConfig.Job job = config.job();
        List<EnvVar> env = new ArrayList<>();
        environment(plan).forEach((k, v) -> env.add(new EnvVar(k, v, null)));
        MLFLOW_CREDENTIALS.forEach(credential -> env.add(new EnvVarBuilder().withName(credential.getKey())
                .withNewValueFrom().withNewSecretKeyRef(credential.getValue(), MLFLOW_SECRET, true).endValueFrom().build()));
        Map<String, Quantity> requests = new LinkedHashMap<>();
        requests.put("cpu", new Quantity(job.cpuRequest()));
        requests.put("memory", new Quantity(job.memoryRequest()));
        Map<String, Quantity> limits = new LinkedHashMap<>();
        limits.put("cpu", new Quantity(job.cpuLimit()));
        limits.put("memory", new Quantity(job.memoryLimit()));
        List<Toleration> tolerations = new ArrayList<>();
        job.tolerations().orElse(List.of()).forEach(t -> tolerations.add(toleration(t)));
        if (job.gpus() > 0) {
            requests.put("nvidia.com/gpu", new Quantity(Integer.toString(job.gpus())));
            limits.put("nvidia.com/gpu", new Quantity(Integer.toString(job.gpus())));
            if (tolerations.stream().noneMatch(t -> "nvidia.com/gpu".equals(t.getKey()))) {
                tolerations.add(new TolerationBuilder().withKey("nvidia.com/gpu").withOperator("Exists")
                        .withEffect("NoSchedule").build());
            }
        }
        Map<String, String> labels = labels(plan);
        return new JobBuilder()
                .withNewMetadata()
                    .withName(plan.jobName())
                    .withNamespace(namespace)
                    .withLabels(labels)
                    .withAnnotations(annotations(plan))
                    .withOwnerReferences(owner == null ? List.of() : List.of(owner))
                .endMetadata()
                .withNewSpec()
                    .withBackoffLimit(job.backoffLimit())
                    .withActiveDeadlineSeconds(job.activeDeadline().toSeconds())
                    .withTtlSecondsAfterFinished((int) job.ttlAfterFinished().toSeconds())
                    .withNewPodFailurePolicy()
                        .addNewRule()
                            .withAction("FailJob")
                            .withNewOnExitCodes()
                                .withContainerName(CONTAINER)
                                .withOperator("In")
                                .withValues(EXIT_BAD_INPUT)
                            .endOnExitCodes()
                        .endRule()
                        .addNewRule()
                            .withAction("Ignore")
                            .addNewOnPodCondition().withType("DisruptionTarget").withStatus("True").endOnPodCondition()
                        .endRule()
                    .endPodFailurePolicy()
                    .withNewTemplate()
                        .withNewMetadata().withLabels(labels).endMetadata()
                        .withNewSpec()
                            .withServiceAccountName(job.serviceAccount())
                            .withRestartPolicy("Never")
                            .withNodeSelector(job.nodeSelector().isEmpty() ? null : job.nodeSelector())
                            .withTolerations(tolerations)
                            .withNewSecurityContext().withRunAsNonRoot(true).endSecurityContext()
                            .addNewContainer()
                                .withName(CONTAINER)
                                .withImage(job.image())
                                .withArgs(arguments())
                                .withEnv(env)
                                .withNewResources().withRequests(requests).withLimits(limits).endResources()
                                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(false)
                                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                                .endSecurityContext()
                            .endContainer()
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }

    /** {@code key=value:Effect} (operator Equal) or {@code key:Effect} (operator Exists). */
    static Toleration toleration(String spec) {
        int colon = spec.lastIndexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("toleration '" + spec + "' is not key=value:Effect or key:Effect");
        }
        String effect = spec.substring(colon + 1);
        String left = spec.substring(0, colon);
        int eq = left.indexOf('=');
        TolerationBuilder t = new TolerationBuilder().withEffect(effect);
        if (eq < 0) {
            return t.withKey(left).withOperator("Exists").build();
        }
        return t.withKey(left.substring(0, eq)).withOperator("Equal").withValue(left.substring(eq + 1)).build();
    }
}
