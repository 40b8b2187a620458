package dev.greenloop.local;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.fabric8.knative.sources.v1.PingSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The PingSources of the manifests on a clock (accelerated in the demo): each fires its event at
 * its schedule's next time in that clock's time, with its data and {@code ceOverrides}, into the
 * Broker. Runs on the caller's thread until {@code running} turns false. In lock step
 * ({@link #lockStep}) the loop stands still and whoever moves simulated time fires the pings due
 * ({@link #fireUntil}) before the loop is let run on: every ping of a simulated minute is in the
 * Broker before that minute's work is awaited.
 */
final class PingSources {

    private final List<PingSource> sources;
    private final Clock clock;
    private final Consumer<CloudEvent> publish;
    private final CronParser parser = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private final Map<String, ZonedDateTime> next = new HashMap<>();
    private volatile boolean lockStep;

    PingSources(List<PingSource> sources, Clock clock, Consumer<CloudEvent> publish) {
        this.sources = List.copyOf(sources);
        this.clock = clock;
        this.publish = publish;
        schedule(ZonedDateTime.now(clock).withZoneSameInstant(ZoneOffset.UTC));
    }

    /** From now on pings fire only through {@link #fireUntil}; the next of each is its first time after {@code from}. */
    synchronized void lockStep(java.time.Instant from) {
        lockStep = true;
        schedule(from.atZone(ZoneOffset.UTC));
    }

    /** Fires, in time order, every ping due at or before {@code t}; returns how many. */
    synchronized int fireUntil(java.time.Instant t) {
        ZonedDateTime until = t.atZone(ZoneOffset.UTC);
        int fired = 0;
        while (true) {
            PingSource due = null;
            for (PingSource p : sources) {
                ZonedDateTime at = next.get(p.getMetadata().getName());
                if (!until.isBefore(at) && (due == null || at.isBefore(next.get(due.getMetadata().getName())))) {
                    due = p;
                }
            }
            if (due == null) {
                return fired;
            }
            ZonedDateTime at = next.get(due.getMetadata().getName());
            publish.accept(ping(due, at));
            next.put(due.getMetadata().getName(), nextAfter(due, at));
            fired++;
        }
    }

    private synchronized void schedule(ZonedDateTime from) {
        for (PingSource p : sources) {
            next.put(p.getMetadata().getName(), nextAfter(p, from));
        }
    }

    void run(BooleanSupplier running) {
        while (running.getAsBoolean()) {
            if (!lockStep) {
                fireUntil(clock.instant());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private ZonedDateTime nextAfter(PingSource p, ZonedDateTime t) {
        return ExecutionTime.forCron(parser.parse(p.getSpec().getSchedule())).nextExecution(t).orElseThrow();
    }

    private static CloudEvent ping(PingSource p, ZonedDateTime at) {
        CloudEventBuilder ping = CloudEventBuilder.v1().withId(UUID.randomUUID().toString())
                .withSource(URI.create("/apis/v1/namespaces/local/pingsources/" + p.getMetadata().getName()))
                .withType("dev.knative.sources.ping")
                .withTime(at.toOffsetDateTime())
                .withDataContentType(p.getSpec().getContentType() == null ? "application/json" : p.getSpec().getContentType())
                .withData(p.getSpec().getData() == null ? new byte[0] : p.getSpec().getData().getBytes(StandardCharsets.UTF_8));
        if (p.getSpec().getCeOverrides() != null) {
            p.getSpec().getCeOverrides().getExtensions().forEach(ping::withExtension);
        }
        return ping.build();
    }
}
