package dev.greenloop.preprocess.store;

import dev.greenloop.features.RawReading;
import dev.greenloop.features.Signal;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The closed windows of each zone's lookback, kept in memory so that closing a window reads only
 * what MongoDB has that this instance has not seen: usually the one window that closes.
 *
 * <p>A closed window never changes: a reading for it is late by the zone's watermark, which only
 * rises, and is archived but not stored. So a window read once it is closed is kept as read.
 * Windows read while this instance closes them enter the cache only after the zone's watermark
 * was raised past them ({@link Session#commit}).
 *
 * <p>Validated against the zone's document: the cache remembers the watermark and last emitted
 * window it wrote, and an event that reads them otherwise (another instance took the zone for a
 * while, or a write of ours failed) starts the zone's cache afresh. A redelivered event finds the
 * zone as this instance left it and uses the cache: the windows it holds are closed, so the
 * redelivery cannot have changed them.
 *
 * <p>Bounded: at most {@code maxZones} zones, the least recently used forgotten first; per zone only
 * the windows the next window's lookback needs. Readings are packed (17 bytes each), about
 * 130 KB per zone at 100 readings a minute. One zone's events come one at a time (ordered
 * delivery); should two meet, the zone's windows are still read and written under its lock.
 */
public final class LookbackCache {

    private final int maxZones;
    private final LinkedHashMap<String, Zone> zones;

    /** @param maxZones zones kept; 0 keeps none (every lookback is read from MongoDB) */
    public LookbackCache(int maxZones) {
        this.maxZones = maxZones;
        this.zones = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Zone> eldest) {
                return size() > LookbackCache.this.maxZones;
            }
        };
    }

    private static final LookbackCache NONE = new LookbackCache(0);

    /** No cache: every window from MongoDB. */
    public static Session none() {
        return NONE.open("", ZoneState.NEW);
    }

    /**
     * The zone's cached windows, if its document reads {@code stored}, as this instance left it;
     * otherwise an empty cache for it.
     */
    public synchronized Session open(String zoneKey, ZoneState stored) {
        Zone zone = zones.get(zoneKey);
        if (zone == null || !zone.expected.equals(stored)) {
            zone = new Zone(stored);
        }
        return new Session(zoneKey, zone);
    }

    private synchronized void keep(String zoneKey, Zone zone) {
        if (maxZones > 0) {
            zones.put(zoneKey, zone);
        }
    }

    private static final class Zone {
        final TreeMap<Long, Packed> windows = new TreeMap<>();
        ZoneState expected;

        Zone(ZoneState expected) {
            this.expected = expected;
        }
    }

    /** One event's use of a zone's cache. */
    public final class Session {
        private final String zoneKey;
        private final Zone zone;
        private final Map<Long, Packed> read = new HashMap<>();

        private Session(String zoneKey, Zone zone) {
            this.zoneKey = zoneKey;
            this.zone = zone;
        }

        /** The closed window starting at {@code start}, if cached or read before by this event. */
        public Packed get(long start) {
            Packed now = read.get(start);
            if (now != null) {
                return now;
            }
            synchronized (zone) {
                return zone.windows.get(start);
            }
        }

        /** A window read from MongoDB that is closed by this event's watermark: cached on {@link #commit}. */
        public void read(long start, Packed window) {
            read.put(start, window);
        }

        /**
         * The zone's document now reads {@code written} (this event raised it): the windows read
         * become cached, and those older than {@code keepFrom} (no later lookback needs them) go.
         */
        public void commit(ZoneState written, long keepFrom) {
            synchronized (zone) {
                zone.windows.putAll(read);
                read.clear();
                zone.windows.headMap(keepFrom).clear();
                zone.expected = written;
            }
            keep(zoneKey, zone);
        }
    }

    /** A window's readings, packed, and the ids of the events that stored them. */
    public record Packed(byte[] signals, long[] times, double[] values, List<String> events) {

        private static final Signal[] SIGNALS = Signal.values();

        public static Packed of(Collection<RawReading> readings, List<String> events) {
            int n = readings.size();
            byte[] s = new byte[n];
            long[] t = new long[n];
            double[] v = new double[n];
            int i = 0;
            for (RawReading r : readings) {
                s[i] = (byte) r.signal().ordinal();
                t[i] = r.epochMillis();
                v[i] = r.value();
                i++;
            }
            return new Packed(s, t, v, List.copyOf(events));
        }

        public int size() {
            return signals.length;
        }

        public void addTo(List<RawReading> out) {
            for (int i = 0; i < signals.length; i++) {
                out.add(new RawReading(SIGNALS[signals[i]], times[i], values[i]));
            }
        }
    }
}
