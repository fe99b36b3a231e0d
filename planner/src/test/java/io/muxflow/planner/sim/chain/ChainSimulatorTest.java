package io.muxflow.planner.sim.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.muxflow.planner.chain.ServerChain;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainSimulatorTest {
    static ServerChain chain(double t, int capacity) {
        return new ServerChain(new int[] {0}, new int[] {1}, t, capacity);
    }

    @Test
    void jffcTakesTheFastestFreeChainAndHandsSlotsToTheQueue() {
        List<ServerChain> chains = List.of(chain(3, 1), chain(1, 1));
        double[] arrivals = {0, 0.1, 0.2};
        ChainSimResult r = ChainSimulator.run(arrivals, new JffcRouter(chains), ChainSimulator.Service.DETERMINISTIC,
                1, 0);
        // job 0 -> fast (done 1.0); job 1 -> slow (done 3.1); job 2 waits for the fast slot at 1.0 -> 2.0
        assertThat(r.meanResponseS()).isCloseTo((1.0 + 3.0 + 1.8) / 3, within(1e-12));
        assertThat(r.meanWaitS()).isCloseTo(0.8 / 3, within(1e-12));
        assertThat(r.p99ResponseS()).isCloseTo(3.0, within(1e-12));
    }

    @Test
    void jsqAndSedChooseDifferently() {
        // fast chain 1 s with 1 slot, slow chain 10 s with 4 slots; two jobs at once
        List<ServerChain> chains = List.of(chain(1, 1), chain(10, 4));
        double[] arrivals = {0, 0};
        // JSQ: job 0 -> fast (0/1 = 0 ties, faster first), job 1 -> slow (0/4 < 1/1)
        ChainSimResult jsq = ChainSimulator.run(arrivals, new QueueingRouter(QueueingRouter.Rule.JSQ, chains),
                ChainSimulator.Service.DETERMINISTIC, 1, 0);
        assertThat(jsq.meanResponseS()).isCloseTo((1 + 10) / 2.0, within(1e-12));
        // SED: job 1 expects 2 x 1 / 1 = 2 s on the fast chain and 10 s on the slow: it queues for the fast one
        ChainSimResult sed = ChainSimulator.run(arrivals, new QueueingRouter(QueueingRouter.Rule.SED, chains),
                ChainSimulator.Service.DETERMINISTIC, 1, 0);
        assertThat(sed.meanResponseS()).isCloseTo((1 + 2) / 2.0, within(1e-12));
    }

    @Test
    void mm1MatchesTheory() {
        double[] arrivals = ChainArrivals.poisson(0.5, 200_000, 3);
        ChainSimResult r = ChainSimulator.run(arrivals, new JffcRouter(List.of(chain(1, 1))),
                ChainSimulator.Service.EXPONENTIAL, 4, 0.05);
        assertThat(r.meanResponseS()).isCloseTo(2.0, within(0.1)); // 1 / (mu - lambda)
        assertThat(r.meanJobsInSystem()).isCloseTo(1.0, within(0.05));
    }

    /**
     * The paper's analysis: under JFFC with Poisson arrivals and exponential service, the mean
     * occupancy lies between the fastest-first and slowest-first birth-death chains.
     */
    @Test
    void jffcOccupancyLiesBetweenTheBirthDeathBounds() {
        List<ServerChain> chains = List.of(chain(1, 2), chain(2, 2), chain(5, 3), chain(8, 1));
        double total = chains.stream().mapToDouble(ServerChain::rate).sum();
        for (double load : new double[] {0.3, 0.6, 0.85}) {
            double lambda = load * total;
            OccupancyBounds.Bounds b = OccupancyBounds.of(chains, lambda);
            ChainSimResult r = ChainSimulator.run(ChainArrivals.poisson(lambda, 300_000, 11), new JffcRouter(chains),
                    ChainSimulator.Service.EXPONENTIAL, 12, 0.05);
            assertThat(b.upperJobs() - b.lowerJobs()).isGreaterThan(0.1);
            assertThat(r.meanJobsInSystem()).as("load %s", load)
                    .isBetween(b.lowerJobs() * 0.99, b.upperJobs() * 1.01);
        }
    }

    @Test
    void deterministicServiceWithoutQueueingRespondsInTheChainTime() {
        double[] arrivals = {0, 1, 2, 3, 4};
        ChainSimResult r = ChainSimulator.run(arrivals, new JffcRouter(List.of(chain(0.5, 1))),
                ChainSimulator.Service.DETERMINISTIC, 1, 0);
        assertThat(r.meanResponseS()).isEqualTo(0.5);
        assertThat(r.meanWaitS()).isZero();
        assertThat(r.meanJobsInSystem()).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void aRouterThatCannotServeIsReported() {
        assertThatThrownBy(() -> ChainSimulator.run(new double[] {0, 1}, new JffcRouter(List.of()),
                ChainSimulator.Service.DETERMINISTIC, 1, 0)).hasMessageContaining("waiting forever");
        assertThatThrownBy(() -> ChainSimulator.run(new double[] {1, 0}, new JffcRouter(List.of(chain(1, 1))),
                ChainSimulator.Service.DETERMINISTIC, 1, 0)).hasMessageContaining("sorted");
    }
}
