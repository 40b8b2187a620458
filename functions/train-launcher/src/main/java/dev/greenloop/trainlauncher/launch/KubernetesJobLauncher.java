package dev.greenloop.trainlauncher.launch;

import dev.greenloop.trainlauncher.TrainLauncherConfig;
import dev.greenloop.trainlauncher.TrainLauncherException;
import dev.greenloop.trainlauncher.TrainLauncherException.Kind;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

/**
 * Creates {@code batch/v1} Jobs with fabric8. A Job that exists already (a redelivered event) is
 * success: HTTP 409 from the API server means the work is under way.
 */
public class KubernetesJobLauncher implements JobLauncher {

    private static final Logger LOG = Logger.getLogger(KubernetesJobLauncher.class);

    private final KubernetesClient client;
    private final JobSpecs specs;
    private final TrainLauncherConfig config;

    public KubernetesJobLauncher(KubernetesClient client, JobSpecs specs, TrainLauncherConfig config) {
        this.client = client;
        this.specs = specs;
        this.config = config;
    }

    @Override
    public void launch(TrainingPlan plan) {
        String namespace = config.job().namespace().orElseGet(client::getNamespace);
        try {
            Job job = specs.job(plan, namespace, owner(namespace));
            client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
            LOG.infof("Started Job %s/%s for %s (run %s, dataset %s)", namespace, plan.jobName(), plan.greenhouseId(),
                    plan.runId(), plan.datasetId());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                LOG.infof("Job %s/%s exists already; nothing to start", namespace, plan.jobName());
                return;
            }
            throw new TrainLauncherException(Kind.DEPENDENCY_FAILED, "the API server refused Job " + plan.jobName()
                    + ": " + e.getMessage(), e);
        }
    }

    private OwnerReference owner(String namespace) {
        ConfigMap owner;
        try {
            owner = client.configMaps().inNamespace(namespace).withName(config.job().ownerConfigMap()).get();
        } catch (KubernetesClientException e) {
            LOG.warnf("Cannot read ConfigMap %s (%s); the Job gets no owner", config.job().ownerConfigMap(), e.getMessage());
            return null;
        }
        if (owner == null) {
            return null;
        }
        return new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withBlockOwnerDeletion(false).withController(false).build();
    }
}
