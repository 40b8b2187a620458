package dev.greenloop.ingest.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.greenloop.ingest.IngestConfig;
import dev.greenloop.ingest.IngestException;
import dev.greenloop.ingest.IngestException.Kind;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/**
 * A token bucket per device, counted in items (readings plus actuator states): a sustained rate
 * with room for a burst, such as a gateway catching up after an outage. Limits are per ingest
 * instance. Thread-safe.
 */
@ApplicationScoped
public class DeviceRateLimiter {

    private final long perSecond;
    private final long burst;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(10))
            .maximumSize(100_000)
            .build();

    public DeviceRateLimiter(IngestConfig config) {
        this.perSecond = config.limits().deviceItemsPerSecond();
        this.burst = Math.max(config.limits().deviceBurstItems(), config.limits().maxItemsPerRequest());
    }

    /**
     * Takes {@code items} from the device's bucket.
     *
     * @throws IngestException {@code RATE_LIMITED} with the seconds until the items would fit
     */
    public void acquire(String deviceId, int items) {
        Bucket bucket = buckets.get(deviceId, id -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)).build())
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(items);
        if (!probe.isConsumed()) {
            int seconds = (int) Math.max(1, Math.ceil(probe.getNanosToWaitForRefill() / 1e9));
            throw IngestException.retryLater(Kind.RATE_LIMITED, "device " + deviceId + " may send " + perSecond
                    + " items per second (bursts of " + burst + "); retry in " + seconds + " s", seconds, null);
        }
    }
}
