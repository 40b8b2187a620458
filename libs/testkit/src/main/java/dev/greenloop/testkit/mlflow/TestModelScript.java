package dev.greenloop.testkit.mlflow;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Small ONNX models in an MLflow server, registered the way the trainer registers them
 * ({@code mlflow.onnx.log_model}, same signature and tags), by the trainer's
 * {@code tests/register_model.py} in the trainer's virtualenv: each output is the feature
 * {@code <target>_last} plus a bias (the script's docstring lists its options).
 */
public final class TestModelScript {

    private TestModelScript() {
    }

    /** The trainer's directory: {@code -Dgreenloop.trainer.dir}, else {@code ../../trainer} (from a function's module). */
    public static Path trainerDir() {
        return Path.of(System.getProperty("greenloop.trainer.dir", "../../trainer")).toAbsolutePath().normalize();
    }

    /**
     * Registers a version, points {@code alias} at it and returns its number.
     *
     * @param trainerDir the trainer's directory (its requirements, feature spec and tests)
     * @param env        added to the script's environment (MLflow's credential variables)
     * @param extra      more options of the script
     */
    public static String register(Path trainerDir, URI tracking, Map<String, String> env, String model, String alias,
                                  double bias, String... extra) {
        Path python = PythonEnvironment.ensure("trainer", trainerDir.resolve("requirements-cpu.txt"),
                trainerDir.resolve("constraints.txt")).bin("python");
        List<String> command = new ArrayList<>(List.of(python.toString(),
                trainerDir.resolve("tests/register_model.py").toString(), "--tracking-uri", tracking.toString(),
                "--model", model, "--alias", alias,
                "--spec-file", trainerDir.resolve("greenloop_trainer/feature-spec-v1.json").toString(),
                "--bias", Double.toString(bias)));
        command.addAll(Arrays.asList(extra));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(3, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("register_model.py failed:\n" + output);
            }
            String last = output.strip().lines().reduce((a, b) -> b).orElse("");
            return new ObjectMapper().readTree(last).get("version").asText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
