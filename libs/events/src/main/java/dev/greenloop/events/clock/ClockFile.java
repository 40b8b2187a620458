package dev.greenloop.events.clock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Simulated time shared by the processes of one machine: a file of eight bytes, the simulated
 * instant in epoch milliseconds, memory-mapped by the simulation that moves it and by every
 * function that reads it. Zero means "no simulation": readers tell the time of their fallback
 * clock (the system's). Reads and writes are single aligned volatile accesses of the mapping,
 * so a reader never sees half a write, and a read costs a memory load.
 *
 * <p>The local stack's simulated live phase moves the time in steps and holds it while the loop
 * settles; a function configured with {@code greenloop.clock.file} then lives in that time.
 */
public final class ClockFile implements AutoCloseable {

    private static final VarHandle MILLIS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final Path path;
    private final FileChannel channel;
    private final MappedByteBuffer map;

    private ClockFile(Path path, boolean write) {
        this.path = path;
        try {
            channel = write
                    ? FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            if (channel.size() < Long.BYTES && !write) {
                throw new IllegalArgumentException(path + " is not a clock file (" + channel.size() + " bytes, not 8)");
            }
            map = channel.map(FileChannel.MapMode.READ_WRITE, 0, Long.BYTES);
        } catch (IOException e) {
            throw new UncheckedIOException("clock file " + path + ": " + e.getMessage(), e);
        }
    }

    /** Creates (or opens) the file to move time in; it starts at zero, real time. */
    public static ClockFile create(Path path) {
        ClockFile file = new ClockFile(path, true);
        file.release();
        return file;
    }

    /** Opens an existing clock file to read. */
    public static ClockFile open(Path path) {
        return new ClockFile(path, false);
    }

    public Path path() {
        return path;
    }

    /** Sets the simulated instant (after the epoch). */
    public void set(Instant simulated) {
        long millis = simulated.toEpochMilli();
        if (millis <= 0) {
            throw new IllegalArgumentException("a simulated instant must be after the epoch: " + simulated);
        }
        MILLIS.setVolatile(map, 0, millis);
    }

    /** Back to real time: readers follow their fallback clock. */
    public void release() {
        MILLIS.setVolatile(map, 0, 0L);
    }

    /** The simulated instant, or empty in real time. */
    public java.util.Optional<Instant> simulated() {
        long millis = (long) MILLIS.getVolatile(map, 0);
        return millis == 0 ? java.util.Optional.empty() : java.util.Optional.of(Instant.ofEpochMilli(millis));
    }

    /** A clock that tells the simulated time when there is one, {@code fallback}'s otherwise. */
    public Clock clock(Clock fallback) {
        return new Shared(this, fallback, ZoneOffset.UTC);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class Shared extends Clock {
        private final ClockFile file;
        private final Clock fallback;
        private final ZoneId zone;

        Shared(ClockFile file, Clock fallback, ZoneId zone) {
            this.file = file;
            this.fallback = fallback;
            this.zone = zone;
        }

        @Override
        public ZoneId getZone() {
            return zone;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return new Shared(file, fallback, zone);
        }

        @Override
        public long millis() {
            long millis = (long) MILLIS.getVolatile(file.map, 0);
            return millis == 0 ? fallback.millis() : millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public String toString() {
            return "ClockFile[" + file.path + ", else " + fallback + "]";
        }
    }
}
