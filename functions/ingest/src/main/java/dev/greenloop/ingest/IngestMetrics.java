package dev.greenloop.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/**
 * What ingest counts, on {@code /q/metrics} (Prometheus):
 * <ul>
 *   <li>{@code greenloop_ingest_items_total{outcome, code}}: items accepted, quarantined and
 *       rejected, by the rule that decided (for example {@code outcome="rejected",code="range"})</li>
 *   <li>{@code greenloop_ingest_zone_items_total{greenhouse, zone, outcome}}: live items accepted
 *       and quarantined per zone (history sent in backfill mode is not counted): what the
 *       dashboards' readings per zone, quarantine rate and silent-zone alert read. Two series per
 *       zone a replica served.</li>
 *   <li>{@code greenloop_ingest_request_seconds{endpoint, status}}: request latency histogram</li>
 *   <li>{@code greenloop_ingest_kafka_ack_seconds}: time from send to Kafka's acknowledgement</li>
 *   <li>{@code greenloop_ingest_batch_items}: items per request</li>
 * </ul>
 */
@ApplicationScoped
public class IngestMetrics {

    private final MeterRegistry registry;
    private final Timer kafkaAck;
    private final DistributionSummary batchItems;

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.kafkaAck = Timer.builder("greenloop.ingest.kafka.ack")
                .description("Time from sending a request's records to Kafka acknowledging all of them")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        this.batchItems = DistributionSummary.builder("greenloop.ingest.batch.items")
                .description("Items (readings plus actuator states) per request")
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0)
                .maximumExpectedValue(10_000.0)
                .register(registry);
    }

    public void items(String outcome, String code, int count) {
        if (count > 0) {
            Counter.builder("greenloop.ingest.items").tag("outcome", outcome).tag("code", code)
                    .description("Items by outcome and the rule that decided it")
                    .register(registry).increment(count);
        }
    }

    public void zone(String greenhouse, String zone, int accepted, int quarantined) {
        zoneItems(greenhouse, zone, "accepted").increment(accepted);
        zoneItems(greenhouse, zone, "quarantined").increment(quarantined);
    }

    private Counter zoneItems(String greenhouse, String zone, String outcome) {
        // Both outcomes are registered at a zone's first request, so a quarantine rate is 0, not absent.
        return Counter.builder("greenloop.ingest.zone.items").tag("greenhouse", greenhouse).tag("zone", zone)
                .tag("outcome", outcome).description("Live items per zone, accepted or quarantined").register(registry);
    }

    public void batch(int items) {
        batchItems.record(items);
    }

    public void kafkaAck(long startNanos) {
        kafkaAck.record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public void request(String endpoint, int status, long startNanos) {
        Timer.builder("greenloop.ingest.request")
                .description("Request latency, including the wait for Kafka")
                .tag("endpoint", endpoint).tag("status", Integer.toString(status))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry)
                .record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
