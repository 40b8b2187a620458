package dev.greenloop.local.eventing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.greenloop.local.wiring.Manifests;
import io.fabric8.knative.eventing.v1.Broker;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The delivery rules of Knative's Kafka Broker, as the local dispatcher applies them. */
class DeliverySpecTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode yaml(String text) throws Exception {
        return YAML.readTree(text);
    }

    @ParameterizedTest
    @CsvSource({"0,true", "-1,true", "500,true", "501,true", "503,true", "404,true", "408,true", "409,true", "429,true",
            "400,false", "401,false", "403,false", "410,false", "413,false", "422,false", "301,false"})
    void retriesTheStatusesKnativeRetries(int status, boolean retried) {
        assertThat(dev.greenloop.events.KnativeDelivery.retryable(status)).isEqualTo(retried);
    }

    @Test
    void aTriggerWithoutItsOwnSpecTakesTheBrokers() throws Exception {
        JsonNode broker = yaml("{retry: 5, backoffPolicy: exponential, backoffDelay: PT0.5S, deadLetterSink: {ref: {name: dl}}}");

        DeliverySpec spec = DeliverySpec.merged(null, broker);

        assertThat(spec).isEqualTo(new DeliverySpec(5, false, Duration.ofMillis(500), true));
        assertThat(DeliverySpec.merged(yaml("{}"), broker)).as("an empty spec is no spec").isEqualTo(spec);
    }

    @Test
    void aTriggersOwnFieldsWinAndTheBrokerFillsTheRest() throws Exception {
        JsonNode broker = yaml("{retry: 5, backoffDelay: PT2S, deadLetterSink: {ref: {name: dl}}}");

        assertThat(DeliverySpec.merged(yaml("{retry: 2, backoffPolicy: linear}"), broker))
                .isEqualTo(new DeliverySpec(2, true, Duration.ofSeconds(2), true));
        assertThat(DeliverySpec.merged(yaml("{deadLetterSink: {ref: {name: own}}}"), broker))
                .isEqualTo(new DeliverySpec(5, false, Duration.ofSeconds(2), true));
    }

    @Test
    void noSpecAnywhereMeansOneAttemptAndNoDeadLetter() throws Exception {
        assertThat(DeliverySpec.merged(null, null)).isEqualTo(DeliverySpec.NONE);
        assertThat(DeliverySpec.NONE.retries()).isZero();
        assertThat(DeliverySpec.NONE.deadLetter()).isFalse();
        assertThat(DeliverySpec.source(yaml("{retry: 3}")))
                .as("the default delay is 1 s").isEqualTo(new DeliverySpec(3, false, Duration.ofSeconds(1), false));
    }

    @Test
    void backoffIsTheDelayTimesTwoToTheRetryOrTimesTheRetry() {
        DeliverySpec exponential = new DeliverySpec(5, false, Duration.ofMillis(500), true);
        DeliverySpec linear = new DeliverySpec(5, true, Duration.ofMillis(500), true);

        assertThat(java.util.stream.IntStream.rangeClosed(1, 5).mapToObj(exponential::backoff).map(Duration::toMillis))
                .containsExactly(1000L, 2000L, 4000L, 8000L, 16000L);
        assertThat(java.util.stream.IntStream.rangeClosed(1, 3).mapToObj(linear::backoff).map(Duration::toMillis))
                .containsExactly(500L, 1000L, 1500L);
    }

    /** What the deployed wiring gives each Trigger: five retries and the dead-letter sink, from its own spec or the Broker's. */
    @Test
    void everyTriggerOfTheWiringRetriesAndDeadLetters() {
        Manifests eventing = Manifests.load(Path.of("..").toAbsolutePath().normalize().resolve("eventing"));
        KubernetesSerialization k = new KubernetesSerialization();
        JsonNode broker = k.convertValue(eventing.all(Broker.class).get(0), JsonNode.class).at("/spec/delivery");
        assertThat(eventing.all(Trigger.class)).isNotEmpty().allSatisfy(t -> {
            DeliverySpec spec = DeliverySpec.merged(k.convertValue(t, JsonNode.class).at("/spec/delivery"), broker);
            assertThat(spec.retries()).as(t.getMetadata().getName()).isEqualTo(5);
            assertThat(spec.deadLetter()).isTrue();
        });
    }
}
