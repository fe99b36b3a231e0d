package io.muxflow.planner.placement.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.chain.ChainInputs;
import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.sim.chain.ChainArrivals;
import io.muxflow.planner.sim.chain.ChainSimResult;
import io.muxflow.planner.sim.chain.ChainSimulator;
import io.muxflow.planner.sim.chain.JffcRouter;
import io.muxflow.planner.sim.chain.PetalsRouter;
import org.junit.jupiter.api.Test;

class ChainPlannerTest {
    static ChainInstance paper(int servers, double eta) {
        return ChainInputs.load("bloom-176b", "paper:" + servers + "," + eta, null, null).instance();
    }

    @Test
    void paperRuleMinimisesSlotsAmongReservationsThatMeetTheRate() {
        ChainInstance inst = paper(20, 0.2);
        double rate = 0.5;
        ChainPlanner.ChainPlan p = ChainPlanner.plan(inst, rate, ChainPlanner.Options.defaults());
        long best = Long.MAX_VALUE;
        int bestC = -1;
        for (int c = 1; c <= p.cMax(); c++) {
            GreedyBlockPlacement.Result r = GreedyBlockPlacement.place(inst, c, rate / 0.7);
            if (r.rateMet() && r.slots() < best) {
                best = r.slots();
                bestC = c;
            }
        }
        assertThat(p.paperRule().c()).isEqualTo(bestC);
        assertThat(p.paperRule().placement().rateMet()).isTrue();
        assertThat(inst.maxReservation()).isEqualTo(p.cMax());
        assertThat(GreedyBlockPlacement.place(inst, p.cMax() + 1, 0).chains()).isZero();
    }

    @Test
    void chosenReservationIsTheShortlistsBestAndIncludesBothRules() {
        ChainPlanner.ChainPlan p = ChainPlanner.plan(paper(40, 0.4), 1.0, ChainPlanner.Options.defaults());
        // both rules' choices were simulated (or a smaller c with the very same chains)
        assertThat(p.shortlist()).anyMatch(s -> s.candidate().chains().equals(p.paperRule().chains()));
        assertThat(p.shortlist()).anyMatch(s -> s.candidate().chains().equals(p.boundRule().chains()));
        assertThat(p.chosen()).isEqualTo(p.shortlist().get(0).candidate());
        for (ChainPlanner.Scored s : p.shortlist()) {
            assertThat(p.shortlist().get(0).meanOverSeedsS()).isLessThanOrEqualTo(s.meanOverSeedsS());
        }
        assertThat(p.stable()).isTrue();
    }

    /**
     * The 12-server instance of issue 23: under deterministic sizes over one seed the planner took
     * c = 12; under the paper's exponential sizes, over seeds, c = 16 serves better. The choice is
     * reported with its runner-up and margin, and it does not change with the first seed.
     */
    @Test
    void theChoiceIsSimulatedUnderTheStatedJobSizesOverSeedsAndIsStable() {
        ChainInstance inst = paper(12, 0.2);
        ChainPlanner.ChainPlan p = ChainPlanner.plan(inst, 1.0, ChainPlanner.Options.defaults());
        assertThat(p.options().sizes()).isEqualTo(ChainPlanner.JobSizes.EXPONENTIAL);
        assertThat(p.chosen().c()).isEqualTo(16);
        assertThat(p.runnerUp()).isNotNull();
        assertThat(p.runnerUp().candidate().chains()).isNotEqualTo(p.chosen().chains());
        assertThat(p.margin()).isGreaterThan(0.01);
        assertThat(p.stability()).isGreaterThanOrEqualTo(0.8);
        for (long seed = 2; seed <= 6; seed++) {
            ChainPlanner.ChainPlan q = ChainPlanner.plan(inst, 1.0, new ChainPlanner.Options(0.7, 4000, seed));
            assertThat(q.chosen().chains()).as("seed %d", seed).isEqualTo(p.chosen().chains());
        }
        // the candidates' means are independent estimates: an exponential simulation of the chosen chains
        // with other arrivals agrees with the planner's within a few percent
        double[] arrivals = ChainArrivals.poisson(1.0, 20000, 99);
        ChainSimResult check = ChainSimulator.run(arrivals, new JffcRouter(p.chosen().chains()),
                ChainSimulator.Service.EXPONENTIAL, 5, 0.1);
        assertThat(check.meanResponseS()).isCloseTo(p.shortlist().get(0).meanOverSeedsS(),
                org.assertj.core.data.Percentage.withPercentage(8));
    }

    @Test
    void deterministicAndTraceSizesAreOptionsToo() {
        ChainInstance inst = paper(20, 0.2);
        ChainPlanner.ChainPlan det = ChainPlanner.plan(inst, 0.5, new ChainPlanner.Options(0.7, 2000, 1,
                ChainPlanner.JobSizes.DETERMINISTIC, null, 2));
        // a trace of equal sizes is the deterministic model, whatever its unit
        ChainPlanner.ChainPlan flat = ChainPlanner.plan(inst, 0.5, new ChainPlanner.Options(0.7, 2000, 1,
                ChainPlanner.JobSizes.TRACE, new double[] {20, 20, 20}, 2));
        assertThat(flat.shortlist().get(0).meanOverSeedsS()).isEqualTo(det.shortlist().get(0).meanOverSeedsS());
        assertThatThrownBy(() -> new ChainPlanner.Options(0.7, 2000, 1, ChainPlanner.JobSizes.TRACE, null, 2))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("trace");
        assertThatThrownBy(() -> new ChainPlanner.Options(0.7, 2000, 1, ChainPlanner.JobSizes.TRACE,
                new double[] {1, -2}, 2)).isInstanceOf(InvalidInputException.class).hasMessageContaining("positive");
    }

    @Test
    void maxChainsPlacementFormsEveryChainTheServersAllow() {
        ChainInstance inst = paper(40, 0.3);
        GreedyBlockPlacement.Result early = GreedyBlockPlacement.place(inst, 6, 1.0 / 0.7);
        GreedyBlockPlacement.Result max = GreedyBlockPlacement.place(inst, 6, 1.0 / 0.7, true);
        assertThat(early.rateMet()).isTrue();
        assertThat(max.chains()).isGreaterThan(early.chains());
        assertThat(max.placement().usedServers()).isGreaterThan(early.placement().usedServers());
        // and the planner weighs both: max-chains candidates are in its shortlist
        ChainPlanner.ChainPlan p = ChainPlanner.plan(inst, 1.0, ChainPlanner.Options.defaults());
        assertThat(p.shortlist()).anyMatch(s -> s.candidate().maxChains());
    }

    @Test
    void beatsThePetalsBaselineWhenFastServersAreScarce() {
        ChainInstance inst = paper(20, 0.1);
        double rate = 0.5;
        ChainPlanner.ChainPlan p = ChainPlanner.plan(inst, rate, ChainPlanner.Options.defaults());
        double[] arrivals = ChainArrivals.poisson(rate, 5000, 9);
        ChainSimResult ours = ChainSimulator.run(arrivals, new JffcRouter(p.chosen().chains()),
                ChainSimulator.Service.DETERMINISTIC, 1, 0.1);
        ChainSimResult petals = ChainSimulator.run(arrivals, new PetalsRouter(inst,
                PetalsPlacement.place(inst, 4096.0 / 2020), PetalsRouter.DEFAULT_PENALTY_S),
                ChainSimulator.Service.DETERMINISTIC, 1, 0.1);
        assertThat(ours.meanResponseS()).isLessThan(0.5 * petals.meanResponseS());
    }

    @Test
    void infeasibleInstancesAreReportedAsSuch() {
        // five slow servers hold 5 x 13 = 65 < 70 blocks even reserving cache for one job
        assertThatThrownBy(() -> ChainPlanner.plan(paper(5, 0.0), 0.1, ChainPlanner.Options.defaults()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("infeasible")
                .hasMessageContaining("65 blocks");
        assertThatThrownBy(() -> ChainPlanner.plan(paper(10, 0.2), -1, ChainPlanner.Options.defaults()))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void plansAThousandServers() {
        ChainPlanner.ChainPlan p = ChainPlanner.plan(paper(1000, 0.2), 25, ChainPlanner.Options.defaults());
        assertThat(p.cMax()).isGreaterThan(100);
        assertThat(p.chosen().totalRate()).isGreaterThan(25);
    }
}
