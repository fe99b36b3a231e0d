package io.muxflow.job.dispatch;

import io.muxflow.job.model.ServingRequest;
import io.muxflow.job.model.StageReport;
import java.util.HashMap;
import org.apache.flink.api.java.functions.KeySelector;

/** Serializable routing keys derived from a plan: the cell of a model or group, the slot of a group in a layer. */
public final class RoutingKeys {
    private RoutingKeys() {
    }

    /** Request -> its model's dispatch cell (unknown and unplaced models to cell 0, which answers them). */
    public static KeySelector<ServingRequest, Integer> requestCell(ServingPlan plan) {
        HashMap<String, Integer> cells = new HashMap<>();
        for (int m = 0; m < plan.models().size(); m++) {
            cells.put(plan.models().get(m), Math.max(0, plan.cellOf(m)));
        }
        return r -> cells.getOrDefault(r.model, 0);
    }

    /** Stage report -> the cell of its group. */
    public static KeySelector<StageReport, Integer> reportCell(ServingPlan plan) {
        int[] cells = new int[plan.numGroups()];
        for (int g = 0; g < cells.length; g++) {
            cells[g] = Math.max(0, plan.group(g).cell());
        }
        return r -> r.group >= 0 && r.group < cells.length ? cells[r.group] : 0;
    }

    /** Request -> the subtask of its group in stage layer {@code layer}. */
    public static KeySelector<ServingRequest, Integer> layerSlot(ServingPlan plan, int layer) {
        int[] slots = new int[plan.numGroups()];
        for (int g = 0; g < slots.length; g++) {
            slots[g] = plan.slot(g, layer);
        }
        return r -> r.group >= 0 && r.group < slots.length ? slots[r.group] : 0;
    }
}
