package dev.greenloop.function.base;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DependencyReadinessTest {

    static final class Check extends DependencyReadiness {
        private final Map<String, Probe> probes;
        private final String reason;

        Check(Map<String, Probe> probes, String reason) {
            this.probes = probes;
            this.reason = reason;
        }

        @Override
        protected String checkName() {
            return "test";
        }

        @Override
        protected Map<String, Probe> probes() {
            return probes;
        }

        @Override
        protected String notReadyBecause() {
            return reason;
        }
    }

    private static Map<String, DependencyReadiness.Probe> probes(boolean mongoUp) {
        Map<String, DependencyReadiness.Probe> probes = new LinkedHashMap<>();
        probes.put("kafka", () -> { });
        probes.put("mongodb", () -> {
            if (!mongoUp) {
                throw new IllegalStateException("connection refused");
            }
        });
        return probes;
    }

    @Test
    void readyWhenEveryDependencyAnswers() {
        HealthCheckResponse answer = new Check(probes(true), null).call();
        assertThat(answer.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(answer.getData().orElseThrow()).containsEntry("kafka", "up").containsEntry("mongodb", "up");
    }

    @Test
    void notReadyWhenOneDoesNotAndItSaysWhy() {
        HealthCheckResponse answer = new Check(probes(false), null).call();
        assertThat(answer.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(answer.getData().orElseThrow()).containsEntry("kafka", "up")
                .containsEntry("mongodb", "unreachable: connection refused");
    }

    @Test
    void notReadyForAReasonBesidesTheDependencies() {
        HealthCheckResponse answer = new Check(probes(true), "no signing keys").call();
        assertThat(answer.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(answer.getData().orElseThrow()).containsEntry("reason", "no signing keys");
    }
}
