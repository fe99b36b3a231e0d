#!/usr/bin/env python3
"""An independent re-statement of AlpaServe's fast simulator semantics in numpy, used to produce the
golden vectors muxflow's StageClockSimulator is tested against
(planner/src/test/resources/alpaserve-golden/).

Semantics (ARCHITECTURE.md, "AlpaServe-compatible simulation"): stage latencies scaled by
(1 + 0.009 x stages) and stored as float32; SLOs as float32; clocks and arrivals float64; the group
whose last stage frees first (strictly smaller wins: ties to the lowest index), chosen before the SLO
check; finish = last stage + 0.011; rejected when finish - arrival > SLO.

Usage: alpaserve_reference.py PROFILES.json OUT_DIR
"""
import json
import sys

import numpy as np


def main(profiles_path, out_dir):
    rng = np.random.default_rng(1234)
    profiles = {m["model"]: m for m in json.load(open(profiles_path))["models"]}
    models = ["a", "b", "c"]
    prof = {"a": "bert-1.3b", "b": "bert-1.3b", "c": "bert-2.6b"}
    # groups: (pp, [model indices])
    groups = [(4, [0, 1]), (2, [1, 2]), (1, [0]), (1, [2])]
    n = 3000
    gaps = rng.gamma(1 / 9.0, 9.0 / 25.0, size=n)  # rate 25/s, cv 3
    arrivals = np.cumsum(gaps)
    arrivals = np.round(arrivals, 3)  # force equal timestamps
    model_ids = rng.integers(0, 3, size=n)
    slos = rng.choice([0.15, 0.2, 0.3, 0.5, 0.110891], size=n)

    def stage_latency(m, pp):
        for c in profiles[prof[models[m]]]["configs"]:
            if c["pp"] == pp and c.get("op", 1) == 1:
                lat = c["latency_s"]["1"]
                return np.array([x * (1 + 0.009 * len(lat)) for x in lat], dtype=np.float32)
        return None

    max_stages = max(g[0] for g in groups)
    clocks = np.zeros((len(groups), max_stages), dtype=np.float64)
    slos32 = slos.astype(np.float32)
    good = np.zeros(n, dtype=bool)
    finish = np.zeros(n, dtype=np.float64)
    for i in range(n):
        m = model_ids[i]
        t0 = arrivals[i]
        best, g_id = 1e100, -1
        for g, (pp, ms) in enumerate(groups):
            if m in ms and clocks[g][pp - 1] < best:
                best, g_id = clocks[g][pp - 1], g
        finish[i] = t0
        if g_id < 0:
            continue
        pp = groups[g_id][0]
        lat = stage_latency(m, pp)
        if lat is None:
            continue
        t = t0
        tmp = []
        for k in range(pp):
            t = max(t, clocks[g_id][k]) + lat[k]
            tmp.append(t)
        fin = t + 0.011
        if fin - t0 <= slos32[i]:
            good[i] = True
            finish[i] = fin
            clocks[g_id][:pp] = tmp

    with open(f"{out_dir}/trace.csv", "w") as f:
        f.write("arrival_s,model,slo_s\n")
        for i in range(n):
            f.write(f"{float(arrivals[i])!r},{models[model_ids[i]]},{float(slos[i])!r}\n")
    plan = {"version": 1, "policy": "golden",
            "groups": [{"id": g, "devices": pp, "op": 1, "pp": pp, "models": [models[m] for m in ms]}
                       for g, (pp, ms) in enumerate(groups)],
            "model_profiles": prof}
    json.dump(plan, open(f"{out_dir}/plan.json", "w"), indent=1)
    with open(f"{out_dir}/expected.csv", "w") as f:
        f.write("good,finish_s\n")
        for i in range(n):
            f.write(f"{int(good[i])},{float(finish[i])!r}\n")
    print(f"{n} requests, attainment {good.mean():.6f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
