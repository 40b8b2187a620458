package dev.greenloop.preprocess.archive;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts the partitions' ranges of an archive plan into pieces that share the records evenly
 * between the threads that write them. Topic partitions rarely divide evenly among the cores
 * (three partitions on two cores left one core idle for a third of every pass), and a skewed
 * partition holds up the others. The pieces are saved with the plan, so a resumed run writes the
 * same files whatever its own thread count.
 */
final class PlanSplitter {

    private PlanSplitter() {
    }

    /**
     * The ranges cut into at most {@code ranges + threads - 1} contiguous pieces, {@code threads}
     * shares of equal record counts (to one record) when taken in order; the ranges as they are
     * when a share would be smaller than {@code minShare} records.
     */
    static List<ArchiveState.Range> split(List<ArchiveState.Range> ranges, int threads, long minShare) {
        long total = records(ranges);
        if (threads <= 1 || total == 0 || total / threads < Math.max(1, minShare)) {
            return ranges;
        }
        long share = (total + threads - 1) / threads;
        long room = share;
        List<ArchiveState.Range> pieces = new ArrayList<>();
        for (ArchiveState.Range r : ranges) {
            long cursor = r.start();
            if (r.end() <= r.start()) {
                pieces.add(r);
                continue;
            }
            while (cursor < r.end()) {
                long take = Math.min(r.end() - cursor, room);
                pieces.add(new ArchiveState.Range(r.partition(), cursor, cursor + take));
                cursor += take;
                room -= take;
                if (room == 0) {
                    room = share;
                }
            }
        }
        return pieces;
    }

    /**
     * The pieces as tasks for a pool of {@code threads} (at least one): the plan's pieces in order, grouped while
     * a group stays within an equal share, largest group first. A plan cut by {@link #split} gives
     * exactly its shares, one per thread; a plan of whole ranges gives about one range per task.
     */
    static List<List<ArchiveState.Range>> tasks(List<ArchiveState.Range> pieces, int threads) {
        long share = (records(pieces) + threads - 1) / threads;
        List<List<ArchiveState.Range>> tasks = new ArrayList<>();
        List<ArchiveState.Range> current = new ArrayList<>();
        long sum = 0;
        for (ArchiveState.Range r : pieces) {
            long size = r.end() - r.start();
            if (size <= 0) {
                continue;
            }
            if (!current.isEmpty() && sum + size > share) {
                tasks.add(current);
                current = new ArrayList<>();
                sum = 0;
            }
            current.add(r);
            sum += size;
        }
        if (!current.isEmpty()) {
            tasks.add(current);
        }
        tasks.sort(Comparator.comparingLong(PlanSplitter::records).reversed());
        return tasks;
    }

    /** The records of {@code ranges} (an empty range, or one whose start passed its end, has none). */
    static long records(List<ArchiveState.Range> ranges) {
        return ranges.stream().mapToLong(r -> Math.max(0, r.end() - r.start())).sum();
    }
}
