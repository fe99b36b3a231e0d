package io.muxflow.job.adapt;

/**
 * Decide (after the autoscaler's ScalingExecutor): act only outside a dead band, never within the
 * cooldown after the last redeploy, and only when the gain pays for the redeploy. The gain is the
 * extra share of requests the candidate is predicted to serve within SLO, over the horizon a plan is
 * expected to live, at the current total rate; the cost is the requests that arrive during the
 * measured redeploy downtime (they wait or are rejected). A candidate identical to the current plan
 * is never worth a redeploy. In recommend-only mode a redeploy becomes a recommendation.
 */
public final class Decider {
    /** What to do and why. */
    public record Decision(String action, String reason, double gainRequests, double costRequests) {
    }

    private final AdaptSpec spec;

    public Decider(AdaptSpec spec) {
        this.spec = spec;
    }

    public Decision decide(double current, double candidate, boolean samePlan, double totalRate, long nowUs,
            long lastRedeployUs, long redeployCostUs) {
        double delta = candidate - current;
        double gain = delta * totalRate * spec.horizonUs() / 1e6;
        double cost = totalRate * redeployCostUs / 1e6;
        String numbers = String.format("current %.4f, candidate %.4f (%+.4f); gain %.0f requests over %.0f s vs %.0f "
                + "requests lost to a %.1f s redeploy", current, candidate, delta, gain, spec.horizonUs() / 1e6, cost,
                redeployCostUs / 1e6);
        if (samePlan) {
            return new Decision("KEEP", "the best candidate is the current plan; " + numbers, gain, cost);
        }
        if (delta <= spec.deadBand()) {
            return new Decision("KEEP", String.format("within the dead band of %.3f; ", spec.deadBand()) + numbers, gain,
                    cost);
        }
        if (lastRedeployUs > 0 && nowUs - lastRedeployUs < spec.cooldownUs()) {
            return new Decision("KEEP", String.format("cooldown: last redeploy %.0f s ago (cooldown %.0f s); ",
                    (nowUs - lastRedeployUs) / 1e6, spec.cooldownUs() / 1e6) + numbers, gain, cost);
        }
        if (gain <= cost) {
            return new Decision("KEEP", "the gain does not pay for the redeploy; " + numbers, gain, cost);
        }
        return new Decision(spec.recommendOnly() ? "RECOMMEND" : "REDEPLOY", "better plan; " + numbers, gain, cost);
    }
}
