package io.muxflow.planner.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.profile.ParallelConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupPartitionsTest {
    private static String describe(Placement p) {
        StringBuilder sb = new StringBuilder();
        for (int g = 0; g < p.numGroups(); g++) {
            ParallelConfig c = p.config(g);
            sb.append(c.op()).append('x').append(c.pp()).append(' ');
        }
        return sb.toString().trim();
    }

    @Test
    void enumeratesPowerOfTwoGroupsAndEveryOpPpSplit() {
        List<String> got = GroupPartitions.enumerate(new Cluster(8, 1, 8), 8, 4).stream()
                .map(GroupPartitionsTest::describe).toList();
        assertThat(got).containsExactly(
                "1x1 1x1 1x1 1x1 1x1 1x1 1x1 1x1",
                "2x1 2x1 2x1 2x1", "1x2 1x2 1x2 1x2",
                "4x1 4x1", "2x2 2x2", "1x4 1x4",
                "4x2", "2x4", "1x8"); // 8x1 exceeds max op 4
    }

    @Test
    void theRemainderBecomesBinaryPipelineGroups() {
        List<String> got = GroupPartitions.enumerate(new Cluster(7, 1, 8), 8, 1).stream()
                .map(GroupPartitionsTest::describe).toList();
        assertThat(got).containsExactly("1x1 1x1 1x1 1x1 1x1 1x1 1x1", "1x2 1x2 1x2 1x1", "1x4 1x1 1x2");
    }

    @Test
    void groupsLargerThanANodeSpanWholeNodes() {
        assertThat(GroupPartitions.enumerate(new Cluster(12, 1, 8), 16, 1).stream().map(GroupPartitionsTest::describe))
                .noneMatch(s -> s.contains("1x16"));
    }
}
