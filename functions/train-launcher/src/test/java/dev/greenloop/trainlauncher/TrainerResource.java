package dev.greenloop.trainlauncher;

import dev.greenloop.testkit.mlflow.PythonEnvironment;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Path;
import java.util.Map;

/**
 * The trainer for tests: its virtualenv (requirements-cpu.txt with constraints.txt, created by
 * the test kit under the cache directory on first use) and its directory, handed to the local
 * launcher.
 */
public class TrainerResource implements QuarkusTestResourceLifecycleManager {

    public static Path trainerDir() {
        return dev.greenloop.testkit.mlflow.TestModelScript.trainerDir();
    }

    public static Path python() {
        Path dir = trainerDir();
        return PythonEnvironment.ensure("trainer", dir.resolve("requirements-cpu.txt"), dir.resolve("constraints.txt"))
                .bin("python");
    }

    @Override
    public Map<String, String> start() {
        return Map.of("greenloop.train-launcher.local.python", python().toString(),
                "greenloop.train-launcher.local.trainer-dir", trainerDir().toString());
    }

    @Override
    public void stop() {
        // The virtualenv stays in the cache for the next run.
    }
}
