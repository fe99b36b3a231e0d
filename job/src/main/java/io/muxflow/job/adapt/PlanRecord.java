package io.muxflow.job.adapt;

import io.muxflow.schema.PlacementPlan;
import io.muxflow.schema.PlanAction;

/** A record for the plans topic (a Flink POJO): a decision, a deployment outcome or an observation. */
public class PlanRecord {
    public int version;
    public int fromVersion;
    public long createdUs;
    public String planJson;
    public String action;
    public String reason = "";
    public String currentPlanJson;
    public double predictedCurrent = Double.NaN;
    public double predictedCandidate = Double.NaN;
    public double observed = Double.NaN;
    public String savepoint;
    public String timingsJson;

    public PlanRecord() {
    }

    private static Double nan(double v) {
        return Double.isNaN(v) ? null : v;
    }

    public PlacementPlan toAvro() {
        return PlacementPlan.newBuilder().setVersion(version).setFromVersion(fromVersion).setCreatedUs(createdUs)
                .setPlanJson(planJson == null ? "" : planJson).setAction(PlanAction.valueOf(action))
                .setReason(reason == null ? "" : reason).setCurrentPlanJson(currentPlanJson)
                .setPredictedCurrent(nan(predictedCurrent)).setPredictedCandidate(nan(predictedCandidate))
                .setObserved(nan(observed)).setSavepoint(savepoint).setTimingsJson(timingsJson).build();
    }

    public static PlanRecord fromAvro(PlacementPlan p) {
        PlanRecord r = new PlanRecord();
        r.version = p.getVersion();
        r.fromVersion = p.getFromVersion();
        r.createdUs = p.getCreatedUs();
        r.planJson = p.getPlanJson();
        r.action = p.getAction().name();
        r.reason = p.getReason();
        r.currentPlanJson = p.getCurrentPlanJson();
        r.predictedCurrent = p.getPredictedCurrent() == null ? Double.NaN : p.getPredictedCurrent();
        r.predictedCandidate = p.getPredictedCandidate() == null ? Double.NaN : p.getPredictedCandidate();
        r.observed = p.getObserved() == null ? Double.NaN : p.getObserved();
        r.savepoint = p.getSavepoint();
        r.timingsJson = p.getTimingsJson();
        return r;
    }
}
