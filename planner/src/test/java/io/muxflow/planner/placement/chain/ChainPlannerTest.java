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
        assertThat(p.shortlist()).extracting(s -> s.candidate().c()).contains(p.paperRule().c(), p.boundRule().c());
        assertThat(p.chosen().c()).isEqualTo(p.shortlist().get(0).candidate().c());
        for (ChainPlanner.Scored s : p.shortlist()) {
            assertThat(p.shortlist().get(0).sim().meanResponseS()).isLessThanOrEqualTo(s.sim().meanResponseS());
        }
        assertThat(p.stable()).isTrue();
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
