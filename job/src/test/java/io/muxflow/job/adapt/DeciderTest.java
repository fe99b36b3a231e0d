package io.muxflow.job.adapt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeciderTest {
    /** 10 min horizon, 3% dead band, 60 s cooldown. */
    static AdaptSpec spec(boolean recommendOnly) {
        return new AdaptSpec(true, recommendOnly, 60_000_000, 5_000_000, 30_000_000, 60_000_000, 60_000_000, 0.03,
                600_000_000, 5_000_000, 10_000_000, 13);
    }

    @Test
    void redeploysOnlyOutsideTheDeadBandAfterTheCooldownWhenTheGainPays() {
        Decider d = new Decider(spec(false));
        long now = 1_000_000_000L;
        assertThat(d.decide(0.80, 0.90, false, 20, now, 0, 5_000_000).action()).isEqualTo("REDEPLOY");
        assertThat(d.decide(0.80, 0.82, false, 20, now, 0, 5_000_000).action()).isEqualTo("KEEP");
        assertThat(d.decide(0.80, 0.82, false, 20, now, 0, 5_000_000).reason()).contains("dead band");
        assertThat(d.decide(0.80, 0.90, true, 20, now, 0, 5_000_000).reason()).contains("is the current plan");
        assertThat(d.decide(0.80, 0.90, false, 20, now, now - 30_000_000, 5_000_000).reason()).contains("cooldown");
        assertThat(d.decide(0.80, 0.90, false, 20, now, now - 90_000_000, 5_000_000).action()).isEqualTo("REDEPLOY");
        // +4% of 20 req/s over 600 s = 480 requests; a 30 s redeploy costs 600: not worth it
        Decider.Decision costly = d.decide(0.80, 0.84, false, 20, now, 0, 30_000_000);
        assertThat(costly.action()).isEqualTo("KEEP");
        assertThat(costly.reason()).contains("does not pay");
        assertThat(costly.gainRequests()).isCloseTo(480, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(costly.costRequests()).isCloseTo(600, org.assertj.core.api.Assertions.within(1e-6));
    }

    @Test
    void recommendOnlyRecommendsInsteadOfRedeploying() {
        assertThat(new Decider(spec(true)).decide(0.5, 0.9, false, 10, 1, 0, 1).action()).isEqualTo("RECOMMEND");
    }

    @Test
    void stateRoundTripsAndNoticesARedeploy() {
        ReplanState s = new ReplanState(3, 11, 22, true);
        assertThat(ReplanState.deserialize(s.serialize())).isEqualTo(s);
        assertThat(s.restoredUnder(3, 99)).isSameAs(s);
        ReplanState after = s.restoredUnder(4, 99);
        assertThat(after.planVersion()).isEqualTo(4);
        assertThat(after.lastRedeployUs()).isEqualTo(99);
        assertThat(after.observedReported()).isFalse();
        assertThat(after.cooldownStartUs()).isEqualTo(99);
        byte[] bad = s.serialize();
        bad[3] = 9;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReplanState.deserialize(bad))
                .hasMessageContaining("version 9");
    }
}
