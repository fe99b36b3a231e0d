package io.muxflow.gpu.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StagePartitionerTest {
    @Test
    void cutsContiguousBalancedStages() {
        List<StageSpec> s = StagePartitioner.partition(ModelConfig.named("bert-base"), 4);
        assertThat(s).extracting(StageSpec::layers).containsExactly(3, 3, 3, 3);
        assertThat(s.get(0).first()).isTrue();
        assertThat(s.get(3).last()).isTrue();
        for (int i = 1; i < s.size(); i++) {
            assertThat(s.get(i).fromLayer()).isEqualTo(s.get(i - 1).toLayer());
        }
    }

    @Test
    void theGpt2LmHeadWeighsOnTheLastStage() {
        // one token per step (decoding): the vocabulary-wide LM head outweighs several blocks
        List<StageSpec> s = StagePartitioner.partition(ModelConfig.named("gpt2"), 2, 1);
        assertThat(s.get(1).layers()).isLessThan(s.get(0).layers());
        assertThat(s.get(0).layers() + s.get(1).layers()).isEqualTo(12);
    }

    @Test
    void refusesMoreStagesThanLayers() {
        assertThatThrownBy(() -> StagePartitioner.partition(ModelConfig.named("bert-tiny"), 3))
                .hasMessageContaining("2 layers");
    }
}
