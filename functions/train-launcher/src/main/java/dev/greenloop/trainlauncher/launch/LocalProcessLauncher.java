package dev.greenloop.trainlauncher.launch;

import dev.greenloop.clients.MlflowCredentials;
import dev.greenloop.clients.Settings;
import dev.greenloop.function.SinkClient;
import dev.greenloop.trainlauncher.TrainLauncherConfig;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * For machines without Kubernetes (the embedded stack, tests): runs the trainer as a child
 * process with the Job's arguments and environment, and when it exits posts the event an
 * ApiServerSource would have posted for the Job ({@code dev.knative.apiserver.resource.update},
 * the Job with its final status) to the sink, so the same status handler takes it from there.
 * A plan whose process is running already is not started again.
 */
public class LocalProcessLauncher implements JobLauncher {

    public static final String NAMESPACE = "local";
    public static final URI SOURCE = URI.create("/greenloop/train-launcher/local");
    private static final Logger LOG = Logger.getLogger(LocalProcessLauncher.class);

    private final JobSpecs specs;
    private final TrainLauncherConfig config;
    private final SinkClient sink;
    private final Map<String, Process> running = new ConcurrentHashMap<>();
    private final KubernetesSerialization serialization = new KubernetesSerialization();
    private final MlflowCredentials mlflow = MlflowCredentials.fromSettings(Settings.fromConfig());

    private final java.time.Clock clock;

    public LocalProcessLauncher(JobSpecs specs, TrainLauncherConfig config, SinkClient sink, java.time.Clock clock) {
        this.clock = clock;
        this.specs = specs;
        this.config = config;
        this.sink = sink;
    }

    @Override
    public synchronized void launch(TrainingPlan plan) {
        if (running.containsKey(plan.jobName())) {
            LOG.infof("Training %s is running already", plan.jobName());
            return;
        }
        Path dir = Paths.get(config.local().trainerDir()).toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(config.local().python(), "-m", "greenloop_trainer"));
        command.addAll(specs.arguments());
        Path log = dir.resolveSibling("target").resolve("training-" + plan.jobName() + ".log");
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(specs.environment(plan));
            builder.environment().put("PYTHONUNBUFFERED", "1");
            // The process gets train-launcher's own MLflow credentials, as a Job gets greenloop-trainer-mlflow's.
            mlflow.token().ifPresent(token -> builder.environment().put("MLFLOW_TRACKING_TOKEN", token));
            mlflow.username().ifPresent(user -> builder.environment().put("MLFLOW_TRACKING_USERNAME", user));
            mlflow.password().ifPresent(password -> builder.environment().put("MLFLOW_TRACKING_PASSWORD", password));
            Process process = builder.start();
            running.put(plan.jobName(), process);
            LOG.infof("Started training %s as process %d (log %s)", plan.jobName(), process.pid(), log);
            Thread waiter = new Thread(() -> await(plan, process, log), "training-" + plan.jobName());
            waiter.setDaemon(true);
            waiter.start();
        } catch (IOException e) {
            report(plan, 127, "cannot start " + config.local().python() + ": " + e.getMessage());
        }
    }

    private void await(TrainingPlan plan, Process process, Path log) {
        int code;
        try {
            if (!process.waitFor(config.local().timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                code = -1;
            } else {
                code = process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            code = -1;
        }
        running.remove(plan.jobName());
        report(plan, code, code == 0 ? "" : lastLine(log));
    }

    /** Posts the Job, with the status Kubernetes would give it, as an ApiServerSource update event. */
    void report(TrainingPlan plan, int exitCode, String message) {
        Job job = specs.job(plan, NAMESPACE, null);
        String now = Instant.now(clock).toString();
        JobStatusBuilder status = new JobStatusBuilder().withCompletionTime(exitCode == 0 ? now : null);
        if (exitCode == 0) {
            status.withSucceeded(1).withConditions(new JobConditionBuilder().withType("Complete").withStatus("True")
                    .withLastTransitionTime(now).build());
        } else {
            String reason = exitCode == JobSpecs.EXIT_BAD_INPUT ? "PodFailurePolicy"
                    : exitCode == -1 ? "DeadlineExceeded" : "BackoffLimitExceeded";
            status.withFailed(1).withConditions(new JobConditionBuilder().withType("Failed").withStatus("True")
                    .withReason(reason).withMessage("trainer exited with code " + exitCode + ": " + message)
                    .withLastTransitionTime(now).build());
        }
        job.setStatus(status.build());
        byte[] data = serialization.asJson(job).getBytes(StandardCharsets.UTF_8);
        CloudEvent event = CloudEventBuilder.v1()
                .withId(plan.jobName() + "-" + (exitCode == 0 ? "complete" : "failed"))
                .withSource(SOURCE)
                .withType("dev.knative.apiserver.resource.update")
                .withSubject("/apis/batch/v1/namespaces/" + NAMESPACE + "/jobs/" + plan.jobName())
                .withTime(OffsetDateTime.now(ZoneOffset.UTC))
                .withDataContentType("application/json")
                .withData(data)
                .build();
        try {
            sink.send(event);
            LOG.infof("Training %s ended with code %d; status posted", plan.jobName(), exitCode);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Training %s ended with code %d but its status could not be posted", plan.jobName(), exitCode);
        }
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith("greenloop-trainer: error:")) {
                    return lines.get(i).substring("greenloop-trainer: error:".length()).trim();
                }
            }
            return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }
}
