package dev.greenloop.preprocess.archive;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class PlanSplitterTest {

    private static ArchiveState.Range r(int partition, long start, long end) {
        return new ArchiveState.Range(partition, start, end);
    }

    /** Each thread's records when the plan's tasks go, in their order, to a pool of {@code threads}. */
    private static long[] loads(List<ArchiveState.Range> pieces, int threads) {
        long[] load = new long[threads];
        for (List<ArchiveState.Range> task : PlanSplitter.tasks(pieces, threads)) {
            int least = 0;
            for (int t = 1; t < threads; t++) {
                if (load[t] < load[least]) {
                    least = t;
                }
            }
            load[least] += PlanSplitter.records(task);
        }
        return load;
    }

    @Test
    void threePartitionsOnTwoThreadsAreSharedEvenly() {
        List<ArchiveState.Range> plan = List.of(r(0, 100, 13_433), r(1, 0, 13_333), r(2, 50, 13_383));

        List<ArchiveState.Range> pieces = PlanSplitter.split(plan, 2, 1_000);

        assertThat(pieces).containsExactly(r(0, 100, 13_433), r(1, 0, 6_667), r(1, 6_667, 13_333), r(2, 50, 13_383));
        assertThat(PlanSplitter.tasks(pieces, 2)).containsExactly(List.of(r(0, 100, 13_433), r(1, 0, 6_667)),
                List.of(r(1, 6_667, 13_333), r(2, 50, 13_383)));
        assertThat(loads(pieces, 2)).containsExactly(20_000, 19_999);
        // Handed out whole, as before, one thread did two partitions and the other one.
        assertThat(loads(plan, 2)).containsExactlyInAnyOrder(26_666, 13_333);
    }

    @Test
    void aSmallBacklogIsLeftOneRangePerPartitionAndEachRangeIsATask() {
        List<ArchiveState.Range> plan = List.of(r(0, 0, 1_400), r(1, 10, 1_510), r(2, 0, 900));

        assertThat(PlanSplitter.split(plan, 2, 2_000)).isSameAs(plan);
        assertThat(PlanSplitter.tasks(plan, 2)).containsExactly(List.of(r(1, 10, 1_510)), List.of(r(0, 0, 1_400)),
                List.of(r(2, 0, 900)));
        assertThat(PlanSplitter.split(plan, 1, 5)).isSameAs(plan);
        assertThat(PlanSplitter.split(List.of(r(0, 7, 7)), 2, 0)).containsExactly(r(0, 7, 7));
    }

    @Test
    void emptyRangesStayInThePlanAndAreNotHandedOut() {
        List<ArchiveState.Range> plan = List.of(r(0, 40, 40), r(1, 0, 100));

        List<ArchiveState.Range> pieces = PlanSplitter.split(plan, 2, 10);

        assertThat(pieces).containsExactly(r(0, 40, 40), r(1, 0, 50), r(1, 50, 100));
        assertThat(PlanSplitter.tasks(pieces, 2)).containsExactly(List.of(r(1, 0, 50)), List.of(r(1, 50, 100)));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8})
    void randomPlansAreCoveredExactlyAndShared(int threads) {
        Random random = new Random(threads);
        for (int round = 0; round < 200; round++) {
            List<ArchiveState.Range> plan = new ArrayList<>();
            int partitions = 1 + random.nextInt(12);
            for (int p = 0; p < partitions; p++) {
                long start = random.nextInt(1_000_000);
                long length = random.nextInt(10) == 0 ? 0 : random.nextInt(200_000);
                plan.add(r(p, start, start + length));
            }
            long total = plan.stream().mapToLong(x -> x.end() - x.start()).sum();

            List<ArchiveState.Range> pieces = PlanSplitter.split(plan, threads, 1);

            // Every partition's range is covered by contiguous pieces, in order, nothing twice.
            Map<Integer, Long> cursor = new HashMap<>();
            plan.forEach(x -> cursor.put(x.partition(), x.start()));
            for (ArchiveState.Range piece : pieces) {
                assertThat(piece.start()).isEqualTo(cursor.get(piece.partition()));
                cursor.put(piece.partition(), piece.end());
            }
            plan.forEach(x -> assertThat(cursor.get(x.partition())).isEqualTo(x.end()));
            assertThat(pieces).hasSizeLessThanOrEqualTo(plan.size() + threads - 1);
            if (total / threads >= 1) {
                long share = (total + threads - 1) / threads;
                long[] loads = loads(pieces, threads);
                for (long load : loads) {
                    assertThat(load).as("plan %s, pieces %s", plan, pieces).isLessThanOrEqualTo(share);
                }
            }
        }
    }
}
