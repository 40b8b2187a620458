package dev.greenloop.trainlauncher;

import dev.greenloop.testkit.mlflow.PythonEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The trainer's own tests and lint, inside {@code ./mvnw -B verify}: pytest over
 * {@code trainer/tests} (dataset checks, the purged time split, the ONNX export, exit codes) and
 * ruff over the package, in the trainer's test environment ({@code requirements-dev.txt}, made
 * by the test kit on first use).
 */
class TrainerUnitTest {

    private static PythonEnvironment environment;

    @BeforeAll
    static void environment() {
        Path dir = TrainerResource.trainerDir();
        environment = PythonEnvironment.ensure("trainer-dev", dir.resolve("requirements-dev.txt"),
                dir.resolve("constraints.txt"));
    }

    @Test
    void pytestPasses() throws Exception {
        Result result = run(List.of(environment.bin("python").toString(), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                "tests"));

        assertThat(result.code()).as(result.output()).isZero();
        assertThat(result.output()).containsPattern("\\d+ passed");
    }

    @Test
    void ruffFindsNothing() throws Exception {
        Result result = run(List.of(environment.bin("ruff").toString(), "check", "--no-cache", "--config", "ruff.toml", "."));

        assertThat(result.code()).as(result.output()).isZero();
    }

    private record Result(int code, String output) {
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(TrainerResource.trainerDir().toFile())
                .redirectErrorStream(true);
        builder.environment().put("MLFLOW_DISABLE_TELEMETRY", "true");
        builder.environment().put("DO_NOT_TRACK", "true");
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + command + "\n" + output);
        }
        return new Result(process.exitValue(), output);
    }
}
