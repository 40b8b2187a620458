package dev.greenloop.features;

import dev.greenloop.events.payload.SensorKind;

import java.util.Optional;

/**
 * How a model's outputs are named (the model contract infer and the closed loop read): one
 * float {@code [n, 1]} output per target it forecasts, named after the target
 * ({@code air_temperature}), and, when it gives a prediction interval for that target, two more
 * named {@code <target>_low} and {@code <target>_high}.
 */
public final class ModelOutputs {

    /** What an output holds. */
    public enum Role {
        VALUE(""), LOW("_low"), HIGH("_high");

        private final String suffix;

        Role(String suffix) {
            this.suffix = suffix;
        }
    }

    /** One output: its target and what it holds. */
    public record Output(SensorKind target, Role role) {
        public String name() {
            return ModelOutputs.name(target, role);
        }
    }

    private ModelOutputs() {
    }

    public static String name(SensorKind target, Role role) {
        return target.wireName() + role.suffix;
    }

    /** The output {@code name} stands for, among the targets of {@code spec}; empty for any other name. */
    public static Optional<Output> parse(String name, FeatureSpec spec) {
        for (Signal signal : spec.targetSignals()) {
            SensorKind target = signal.sensor();
            for (Role role : Role.values()) {
                if (name(target, role).equals(name)) {
                    return Optional.of(new Output(target, role));
                }
            }
        }
        return Optional.empty();
    }
}
