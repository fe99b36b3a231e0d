package io.muxflow.job.adapt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LongRingTest {
    @Test
    void behavesLikeADequeAcrossWrapAroundAndGrowth() {
        LongRing r = new LongRing();
        ArrayDeque<Long> ref = new ArrayDeque<>();
        SplittableRandom rng = new SplittableRandom(3);
        for (int step = 0; step < 20_000; step++) {
            if (!ref.isEmpty() && rng.nextInt(3) == 0) {
                assertThat(r.removeFirst()).isEqualTo(ref.pollFirst());
            } else {
                long v = rng.nextLong();
                r.addLast(v);
                ref.addLast(v);
            }
            assertThat(r.size()).isEqualTo(ref.size());
            if (!ref.isEmpty()) {
                assertThat(r.first()).isEqualTo(ref.peekFirst());
                assertThat(r.last()).isEqualTo(ref.peekLast());
            }
        }
        int i = 0;
        for (long v : ref) {
            assertThat(r.get(i++)).isEqualTo(v);
        }
    }

    @Test
    void insertsInPlaceAfterWrapping() {
        LongRing r = new LongRing();
        for (int i = 0; i < 60; i++) {
            r.addLast(i);
        }
        for (int i = 0; i < 50; i++) {
            r.removeFirst(); // head now near the end of the array: the next elements wrap
        }
        for (int i = 60; i < 100; i++) {
            r.addLast(i);
        }
        r.insert(3, -1);
        r.insert(0, -2);
        r.insert(r.size(), -3);
        assertThat(r.size()).isEqualTo(53);
        assertThat(r.get(0)).isEqualTo(-2);
        assertThat(r.get(1)).isEqualTo(50);
        assertThat(r.get(4)).isEqualTo(-1);
        assertThat(r.get(5)).isEqualTo(53);
        assertThat(r.last()).isEqualTo(-3);
        assertThatThrownBy(() -> r.get(53)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new LongRing().removeFirst()).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
