package dev.greenloop.bench.infer;

import dev.greenloop.testkit.mlflow.PythonEnvironment;

import java.nio.file.Path;

/** Prints the trainer virtualenv's python, creating the virtualenv as the tests do when missing. */
public final class TrainerPython {

    private TrainerPython() {
    }

    public static void main(String[] args) {
        Path trainer = Path.of("trainer").toAbsolutePath();
        System.out.println(PythonEnvironment.ensure("trainer", trainer.resolve("requirements-cpu.txt"),
                trainer.resolve("constraints.txt")).bin("python"));
    }
}
