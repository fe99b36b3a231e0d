package io.muxflow.planner.placement;

import static io.muxflow.planner.TestProfiles.model;
import static io.muxflow.planner.TestProfiles.single;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelBucketsTest {
    @Test
    void bucketsModelsOfSimilarLatency() {
        List<int[]> b = ModelBuckets.buckets(List.of(model("a", single(0.1, 1)), model("b", single(0.5, 1)),
                model("c", single(0.12, 1)), model("d", single(0.6, 1)), model("e", single(2.0, 1))));
        assertThat(b).hasSize(3);
        assertThat(b.get(0)).containsExactly(0, 2);
        assertThat(b.get(1)).containsExactly(1, 3);
        assertThat(b.get(2)).containsExactly(4);
    }

    @Test
    void splitsDevicesNearTheRateShares() {
        // bucket 0 gets 3/4 of the traffic at equal latency: splits near 6:2 survive, far ones are pruned
        List<int[]> s = ModelBuckets.splits(8, new double[] {3, 1}, new double[] {0.1, 0.1});
        assertThat(s).isNotEmpty().hasSizeLessThan(100);
        assertThat(s).allSatisfy(x -> assertThat(x[0] + x[1]).isEqualTo(8));
        assertThat(s).anySatisfy(x -> assertThat(x).containsExactly(6, 2));
        // with 7 splits in all and a threshold of 1.0, all are kept (fewer than 100)
        assertThat(s).hasSize(7);
        // past the tightest threshold (0.1) every split within it is kept, however many, as AlpaServe does:
        // equal shares of 64 devices: each bucket 10..22 devices (|1/4 - x/64| < 0.1)
        List<int[]> many = ModelBuckets.splits(64, new double[] {1, 1, 1, 1}, new double[] {1, 1, 1, 1});
        assertThat(many).hasSizeGreaterThan(100);
        assertThat(many).allSatisfy(x -> assertThat(Arrays.stream(x).sum()).isEqualTo(64));
        assertThat(many).allSatisfy(x -> assertThat(Arrays.stream(x).allMatch(d -> d >= 10 && d <= 22)).isTrue());
        assertThat(many).anySatisfy(x -> assertThat(x).containsExactly(16, 16, 16, 16));
        List<int[]> fewer = ModelBuckets.splits(48, new double[] {1, 1, 1, 1}, new double[] {1, 1, 1, 1});
        assertThat(fewer).hasSizeLessThan(100).anySatisfy(x -> assertThat(x).containsExactly(12, 12, 12, 12));
    }
}
