package dev.greenloop.testkit.junit;

import dev.greenloop.testkit.kafka.KafkaBroker;

/**
 * {@code @ExtendWith(KafkaExtension.class)}: a real Kafka broker for the test class, shared by
 * the whole run; inject it as a {@link KafkaBroker} parameter.
 */
public final class KafkaExtension extends SharedServiceExtension<KafkaBroker> {

    public KafkaExtension() {
        super(KafkaBroker.class);
    }

    @Override
    KafkaBroker shared() {
        return KafkaBroker.shared();
    }
}
